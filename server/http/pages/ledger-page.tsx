// The ledger (DESIGN.md §5): tree size, the latest signed checkpoint and who signed it (the ledger and any witness
// cosigners), the ledger key's fingerprint, a browser over the log's entries, and the devices the caller may see.
import { parseCheckpoint } from '../../../schemas/signing/checkpoint.js';
import { keyFingerprint } from '../../../schemas/signing/keys.js';
import { parseNote, parseVkey } from '../../../schemas/signing/signed-note.js';
import { problemText, type ApiAnswer } from './api-client.js';
import { groupFingerprint } from './browser/check-proof.js';
import { Badge, Layout, render, Time } from './layout.js';
import { apiOf, newPageApp, type PageContext } from './page-context.js';
import { requireSession, type Session } from './session.js';
import { capitalise, named, stepWords } from './words.js';

const PAGE_SIZE = 25;

interface EntryJson {
  readonly index: number;
  readonly leafHash: string;
  readonly kind: string;
  readonly eventTime: string | null;
  readonly detail: {
    device: string | null;
    seq: number | null;
    eventId: string | null;
    type: string | null;
    action: string | null;
    bizStep: string | null;
    disposition: string | null;
  } | null;
}

interface DeviceJson {
  readonly device: string;
  readonly location: string;
  readonly party: string;
  readonly status: 'active' | 'revoked';
  readonly keys: readonly unknown[];
}

function CheckpointSection(p: { checkpoint: ApiAnswer; vkey: string }) {
  const vkey = parseVkey(p.vkey);
  const fingerprint = vkey.ok ? groupFingerprint(keyFingerprint(vkey.value.publicKey)) : 'unreadable key';
  if (!p.checkpoint.ok) {
    return <p>{p.checkpoint.status === 404 ? 'The log is empty: no checkpoint has been signed yet.' : `The checkpoint could not be read: ${problemText(p.checkpoint)}`}</p>;
  }
  const note = parseNote(p.checkpoint.text);
  const body = note.ok ? parseCheckpoint(note.value.text) : undefined;
  const isLedger = (s: { name: string; keyId: number }) => vkey.ok && s.name === vkey.value.name && s.keyId === vkey.value.keyId;
  const cosigners = note.ok ? note.value.signatures.filter((s) => !isLedger(s)) : [];
  return (
    <>
      <dl class="tally">
        <div>
          <dt>Entries in the log (tree size)</dt>
          <dd id="tree-size">{body?.ok ? body.value.size : '—'}</dd>
        </div>
        <div>
          <dt>Witness cosignatures</dt>
          <dd id="cosignature-count">{cosigners.length}</dd>
        </div>
      </dl>
      <dl class="facts">
        <dt>Log origin</dt>
        <dd>
          <code>{body?.ok ? body.value.origin : '—'}</code>
        </dd>
        <dt>Root hash</dt>
        <dd>
          <code class="wrap">{body?.ok ? p.checkpoint.text.split('\n')[2] : '—'}</code>
        </dd>
        <dt>Ledger key fingerprint</dt>
        <dd>
          <code id="key-fingerprint">{fingerprint}</code>
          <span id="key-memory" class="key-memory muted"></span>
        </dd>
        <dt>Signatures</dt>
        <dd>
          <ul class="plain">
            {note.ok
              ? note.value.signatures.map((s) => (
                  <li>
                    <code>{s.name}</code> key {s.keyId.toString(16).padStart(8, '0')} {isLedger(s) ? <Badge tone="ok">the ledger</Badge> : <Badge tone="neutral">cosigner</Badge>}
                  </li>
                ))
              : null}
          </ul>
        </dd>
      </dl>
      <div id="key-warning" class="key-warning" role="alert" hidden></div>
      <p id="checkpoint-check" class="proof-status proof-status--pending" role="status" data-checkpoint={p.checkpoint.text}>
        Checking the checkpoint’s signature in your browser…
      </p>
      <details>
        <summary>The signed checkpoint (C2SP tlog-checkpoint)</summary>
        <pre class="note">{p.checkpoint.text}</pre>
      </details>
    </>
  );
}

function EntriesSection(p: { answer: ApiAnswer }) {
  if (!p.answer.ok) return <p>The entries could not be listed: {problemText(p.answer)}</p>;
  const page = p.answer.body as { size: number; entries: EntryJson[]; next: number | null };
  if (page.entries.length === 0) return <p>The log has no entries yet.</p>;
  const newest = page.entries[0]!.index;
  const detailed = page.entries.some((e) => e.detail !== null);
  return (
    <>
      <div class="table-wrap">
        <table class="data" id="entries">
          <caption>
            Entries #{page.entries.at(-1)!.index} to #{newest} of {page.size}, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Entry</th>
              <th scope="col">Event time</th>
              <th scope="col">Kind</th>
              {detailed ? <th scope="col">What</th> : null}
              <th scope="col">Leaf hash</th>
            </tr>
          </thead>
          <tbody>
            {page.entries.map((e) => (
              <tr>
                <td data-label="Entry">
                  <a href={`/v1/entries/${e.index}`}>#{e.index}</a>
                </td>
                <td data-label="Event time">
                  <Time iso={e.eventTime} />
                </td>
                <td data-label="Kind">{e.kind === 'device' ? 'Scanner' : e.kind === 'capture' ? 'EPCIS capture' : 'Ledger'}</td>
                {detailed ? (
                  <td data-label="What">
                    {e.detail ? (
                      <>
                        {stepWords(e.detail.bizStep, e.detail.disposition)}
                        {e.detail.device ? <span class="muted"> · {e.detail.device}{e.detail.seq !== null ? ` #${e.detail.seq}` : ''}</span> : null}
                      </>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                ) : null}
                <td data-label="Leaf hash">
                  <code class="hash">{e.leafHash}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav aria-label="Entry pages" class="pager">
        {newest < page.size - 1 ? <a href="/ledger#entries-h">Newest entries</a> : null}
        {page.next !== null ? <a href={`/ledger?before=${page.next}#entries-h`}>Older entries</a> : null}
      </nav>
      <p class="help">
        Each entry is the exact signed envelope a scanner sent (or the ledger signed for a capture or recall). Anyone can read it at{' '}
        <code>{'/v1/entries/{index}'}</code> and check it against a checkpoint.
      </p>
    </>
  );
}

function DevicesSection(p: { answer: ApiAnswer; parties: Map<string, string>; session: Session }) {
  if (!p.answer.ok) return <p>The devices could not be listed: {problemText(p.answer)}</p>;
  const devices = (p.answer.body as { devices: DeviceJson[] }).devices;
  if (devices.length === 0) return <p>{p.session.caller.role === 'admin' || p.session.caller.role === 'regulator' ? 'No device is enrolled.' : 'Your party has no enrolled device.'}</p>;
  return (
    <div class="table-wrap">
      <table class="data" id="devices">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Party</th>
            <th scope="col">Location</th>
            <th scope="col">Status</th>
            <th scope="col">Keys</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr>
              <td data-label="Device">
                <code>{d.device}</code>
              </td>
              <td data-label="Party">{named(d.party, p.parties)}</td>
              <td data-label="Location">
                <code class="wrap">{d.location}</code>
              </td>
              <td data-label="Status">
                <Badge tone={d.status === 'active' ? 'ok' : 'danger'}>{capitalise(d.status)}</Badge>
              </td>
              <td data-label="Keys">{d.keys.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ledgerPages(ctx: PageContext) {
  const app = newPageApp(ctx);
  app.get('/ledger', requireSession(ctx.sessions), async (c) => {
    const session = c.get('session');
    const api = apiOf(ctx, c);
    const before = c.req.query('before');
    const beforeQuery = before !== undefined && /^(0|[1-9][0-9]{0,15})$/.test(before) ? `&before=${before}` : '';
    const [checkpoint, vkey, entries, devices] = await Promise.all([
      api('GET', '/v1/checkpoint'),
      api('GET', '/v1/verifier-key'),
      api('GET', `/v1/ledger/entries?limit=${PAGE_SIZE}${beforeQuery}`),
      api('GET', '/v1/ledger/devices'),
    ]);
    const parties = await ctx.names.parties(devices.ok ? (devices.body as { devices: DeviceJson[] }).devices.map((d) => d.party) : []);
    return render(
      c,
      <Layout title="Ledger" session={session} section="ledger">
        <h1>Ledger</h1>
        <section aria-labelledby="checkpoint-h" class="card">
          <h2 id="checkpoint-h">Latest signed checkpoint</h2>
          <CheckpointSection checkpoint={checkpoint} vkey={vkey.text.trim()} />
        </section>
        <section aria-labelledby="entries-h" class="card">
          <h2 id="entries-h">Entries</h2>
          <EntriesSection answer={entries} />
        </section>
        <section aria-labelledby="devices-h" class="card">
          <h2 id="devices-h">Devices</h2>
          <DevicesSection answer={devices} parties={parties} session={session} />
        </section>
      </Layout>,
    );
  });
  return app;
}
