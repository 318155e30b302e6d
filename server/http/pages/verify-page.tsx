// The Verify page (DESIGN.md §7), what `npm start` points a pharmacist to: scan or paste a pack's code, get the
// decision first (colour and words), then the pack's pedigree as a timeline, its open alerts, and the ledger's
// inclusion proof, which the page's script checks in the browser against the ledger key (browser/proof-panel.ts).
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { PedigreeStep } from '../../domain/verify-unit.js';
import { Badge, Layout, render, Time } from './layout.js';
import { apiOf, newPageApp, type PageContext } from './page-context.js';
import { requireSession, type Session } from './session.js';
import { alertWords, capitalise, named, printableScan, stateWords, stepWords, verdictOf, type Verdict, type VerificationView } from './words.js';

/** The verification answer as GET /v1/verify returns it (custody-routes.ts verificationJson). */
interface VerificationJson extends VerificationView {
  readonly verificationTimestamp: string;
  readonly responderGLN: string | null;
  readonly corrUUID: string;
  readonly unit:
    | (VerificationView['unit'] & {
        readonly epc: string;
        readonly gtin?: string;
        readonly serial?: string;
        readonly lot: string | null;
        readonly owner: string | null;
        readonly custodian: string | null;
        readonly location: string | null;
        readonly recalled: boolean;
        readonly destination: { party: string | null; location: string | null } | null;
      })
    | null;
  readonly pedigree: readonly PedigreeStepJson[];
  readonly alerts: readonly AlertJson[];
  readonly proof: { index: number; size: number; entry: string; leafHash: string; hashes: string[]; checkpoint: string } | null;
}

// Every field of a pedigree step is JSON already: the page reads the domain's shape as the API sends it.
type PedigreeStepJson = PedigreeStep;

export interface AlertJson {
  readonly id: number;
  readonly code: string;
  readonly severity: string;
  readonly status: string;
  readonly epc: string;
  readonly gtin?: string;
  readonly serial?: string;
  readonly sscc?: string;
  readonly sites: readonly string[];
  readonly detail: string;
  readonly eventTime: string | null;
  readonly raisedAt: string;
  readonly updatedAt?: string;
  readonly triggerIndex: number | null;
  readonly evidence: readonly number[];
  readonly actions?: readonly { action: string; note: string; actorParty: string | null; actorRole: string | null; at?: string }[];
}

type Outcome =
  | { kind: 'none' }
  | { kind: 'verified'; scan: string; v: VerificationJson; parties: Map<string, string>; places: Map<string, string> }
  | { kind: 'unreadable'; scan: string; code: string; detail: string; position: number | undefined }
  | { kind: 'refused'; scan: string; detail: string };

function ScanForm() {
  return (
    <form method="get" action="/" class="scan-form card" role="search" aria-label="Verify a pack">
      <label for="scan">Scan or type the pack’s code</label>
      <div class="scan-row">
        <input
          id="scan"
          name="scan"
          type="text"
          autofocus
          required
          maxlength={4096}
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          enterkeyhint="go"
          aria-describedby="scan-help"
        />
        <button type="submit">Verify</button>
      </div>
      <p id="scan-help" class="help">
        Point the scanner at the DataMatrix and it types here (it ends with Enter). You can also paste a GS1 Digital Link
        (https://id.gs1.org/01/…/21/…) or bracketed codes such as (01)09506000134352(21)ABC123.
      </p>
    </form>
  );
}

const ICON: Record<Verdict['tone'], string> = { ok: '✔', danger: '✖', warning: '⚠', neutral: 'ℹ' };

/**
 * The scan as the scanner sent it: GS separators shown as a marked "GS" (with its name for screen readers), other
 * control characters as their Unicode pictures, and the character at `mark` (the parser's position) highlighted.
 */
function ScanText(p: { raw: string; mark?: number | undefined }) {
  // The parser's positions are UTF-16 offsets; scans are ASCII in practice, so split by code unit to match them.
  const parts: (string | JSX.Element)[] = [];
  let run = '';
  const flush = () => {
    if (run !== '') parts.push(run);
    run = '';
  };
  for (let i = 0; i < p.raw.length; i++) {
    const ch = p.raw[i]!;
    const shown =
      ch === '\u001d' ? (
        <abbr class="gs" title="group separator (GS, 0x1D)">
          GS
        </abbr>
      ) : (
        printableScan(ch)
      );
    if (i === p.mark) {
      flush();
      parts.push(<mark>{shown}</mark>);
    } else if (typeof shown === 'string') run += shown;
    else {
      flush();
      parts.push(shown);
    }
  }
  flush();
  return <code class="scan-text">{parts}</code>;
}

function VerdictBox(p: { verdict: Verdict; scan: string; gtin: string | undefined }) {
  return (
    <section class={`verdict verdict--${p.verdict.tone}`} id="verdict" aria-labelledby="verdict-headline" data-verdict={p.verdict.kind}>
      <p class="verdict-icon" aria-hidden="true">
        {ICON[p.verdict.tone]}
      </p>
      <div>
        <h2 id="verdict-headline">{p.verdict.headline}</h2>
        <p>{p.verdict.advice}</p>
        {p.verdict.kind === 'recalled' && p.gtin ? (
          <p>
            <a href={`/recalls?gtin=${p.gtin}`}>Read the recall notice for this product</a>
          </p>
        ) : null}
        <p class="scanned">
          Scanned: <ScanText raw={p.scan} />
        </p>
      </div>
    </section>
  );
}

function Unreadable(p: { scan: string; code: string; detail: string; position: number | undefined }) {
  const at = p.position !== undefined && p.position >= 0 && p.position < p.scan.length ? p.position : undefined;
  return (
    <section class="verdict verdict--neutral" id="verdict" aria-labelledby="verdict-headline" data-verdict="unreadable">
      <p class="verdict-icon" aria-hidden="true">
        {ICON.neutral}
      </p>
      <div>
        <h2 id="verdict-headline">This code could not be read — scan it again</h2>
        <p>
          What the scanner sent is not a valid GS1 code for a pack: {p.detail}
          {p.detail.endsWith('.') ? '' : '.'}
        </p>
        <p class="scanned">
          Scanned: <ScanText raw={p.scan} mark={at} />
        </p>
        <p class="help">
          Problem code <code>{p.code}</code>
          {at !== undefined ? `, at character ${at + 1} (highlighted)` : ''}. If the pack’s code keeps failing, do not dispense it: set it aside and
          report it.
        </p>
      </div>
    </section>
  );
}

function Facts(p: { v: VerificationJson; parties: Map<string, string>; places: Map<string, string> }) {
  const u = p.v.unit;
  if (!u) return null;
  const where = u.state === 'in_transit' && u.destination ? `in transit to ${named(u.destination.party, p.parties)}` : stateWords(u.state);
  return (
    <section aria-labelledby="facts-h" class="card">
      <h2 id="facts-h">The pack</h2>
      <dl class="facts">
        <dt>Product (GTIN)</dt>
        <dd>{u.gtin ?? '—'}</dd>
        <dt>Serial number</dt>
        <dd>{u.serial ?? '—'}</dd>
        <dt>Lot</dt>
        <dd>{u.lot ?? '—'}</dd>
        <dt>Expiry</dt>
        <dd>{u.expiry ?? '—'}</dd>
        <dt>Manufacturer</dt>
        <dd>{named(u.owner, p.parties)}</dd>
        <dt>Now</dt>
        <dd>
          {capitalise(where)}
          {u.custodian && u.state !== 'in_transit' ? `, held by ${named(u.custodian, p.parties)}` : ''}
          {u.location ? ` at ${p.places.get(u.location) ?? u.location}` : ''}
          {u.recalled ? ' · under recall' : ''}
          {u.quarantined ? ' · quarantined' : ''}
        </dd>
      </dl>
    </section>
  );
}

export function AlertList(p: { alerts: readonly AlertJson[]; parties: Map<string, string> }) {
  return (
    <ul class="alert-list">
      {p.alerts.map((a) => (
        <li>
          <Badge tone={a.severity === 'critical' || a.severity === 'high' ? 'danger' : 'warning'}>{capitalise(a.severity)}</Badge>{' '}
          <a href={`/alerts/${a.id}`}>{alertWords(a.code)}</a> <span class="muted">({a.code})</span>
          <br />
          <span class="muted">
            {capitalise(a.status)} · raised <Time iso={a.raisedAt} /> · sites: {a.sites.map((s) => named(s, p.parties)).join(', ') || '—'}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Timeline(p: { steps: readonly PedigreeStepJson[]; parties: Map<string, string>; places: Map<string, string> }) {
  if (p.steps.length === 0) return <p>The ledger has no custody step for this pack.</p>;
  return (
    <ol class="timeline">
      {p.steps.map((s) => (
        <li class={`step${s.retractedBy !== null ? ' step--retracted' : ''}${s.alerts.length > 0 ? ' step--suspect' : ''}`}>
          <h3 class="step-title">{stepWords(s.bizStep, s.disposition)}</h3>
          <p>
            {s.party ? <>by {s.partyName ? `${s.partyName} (${s.party})` : named(s.party, p.parties)}</> : null}
            {s.location ? <> at {p.places.get(s.location) ?? s.location}</> : null}
          </p>
          <p>
            <Time iso={s.eventTime} />
          </p>
          {s.destinationParty && s.destinationParty !== s.party ? <p>to {named(s.destinationParty, p.parties)}</p> : null}
          {s.via ? <p class="muted">with its case or pallet {s.via.replace('https://id.gs1.org/00/', 'SSCC ')}</p> : null}
          {s.alerts.map((code) => (
            <p class="step-alert">
              <Badge tone="warning">Alert</Badge> {alertWords(code)}
            </p>
          ))}
          {s.retractedBy !== null ? <p class="step-alert">Declared erroneous by ledger entry #{s.retractedBy}: this step does not count.</p> : null}
          {s.corrects !== null ? <p class="muted">Corrects ledger entry #{s.corrects}.</p> : null}
          <p class="muted entry-ref">Ledger entry #{s.index}</p>
        </li>
      ))}
    </ol>
  );
}

function ProofPanel(p: { v: VerificationJson }) {
  const proof = p.v.proof;
  const last = p.v.pedigree.at(-1);
  return (
    <section aria-labelledby="proof-h" class="card proof" id="proof" data-proof={proof ? JSON.stringify(proof) : ''} data-expected-index={last ? String(last.index) : ''}>
      <h2 id="proof-h">Checked in your browser</h2>
      {proof ? (
        <>
          <p id="proof-status" class="proof-status proof-status--pending" role="status">
            Checking the ledger’s proof in your browser…
          </p>
          <noscript>
            <p class="proof-status proof-status--fail">Not checked: this check needs JavaScript.</p>
          </noscript>
          <div id="key-warning" class="key-warning" role="alert" hidden></div>
          <dl class="facts">
            <dt>Ledger key fingerprint</dt>
            <dd>
              <code id="key-fingerprint">…</code>
              <span id="key-memory" class="key-memory muted"></span>
            </dd>
            <dt>Entry</dt>
            <dd>
              #{proof.index} in a log of {proof.size} entries
            </dd>
            <dt>Other signatures on the checkpoint</dt>
            <dd id="cosignatures">…</dd>
          </dl>
          <p class="help">
            Your browser fetches the ledger’s public key, checks that the signed checkpoint was signed with it, and that the
            pack’s latest ledger entry is in the log that checkpoint describes (RFC 6962 inclusion proof). It remembers the key
            after first use and warns if it ever changes.
          </p>
        </>
      ) : (
        <p class="proof-status proof-status--none">There is no ledger entry to check for this pack.</p>
      )}
    </section>
  );
}

function VerifyPage(p: { session: Session; outcome: Outcome }) {
  const o = p.outcome;
  return (
    <Layout title="Verify a pack" session={p.session} section="verify">
      <h1>Verify a pack</h1>
      <ScanForm />
      {o.kind === 'unreadable' ? <Unreadable scan={o.scan} code={o.code} detail={o.detail} position={o.position} /> : null}
      {o.kind === 'refused' ? (
        <section class="verdict verdict--neutral" id="verdict" aria-labelledby="verdict-headline" data-verdict="refused">
          <p class="verdict-icon" aria-hidden="true">
            {ICON.neutral}
          </p>
          <div>
            <h2 id="verdict-headline">This pack cannot be verified with your account</h2>
            <p>{o.detail}</p>
          </div>
        </section>
      ) : null}
      {o.kind === 'verified' ? (
        <>
          <VerdictBox verdict={verdictOf(o.v)} scan={o.scan} gtin={o.v.unit?.gtin} />
          <div class="result-grid">
            <Facts v={o.v} parties={o.parties} places={o.places} />
            <ProofPanel v={o.v} />
          </div>
          <section aria-labelledby="alerts-h" class="card">
            <h2 id="alerts-h">Open alerts</h2>
            {o.v.alerts.length === 0 ? <p>No open alert about this pack.</p> : <AlertList alerts={o.v.alerts} parties={o.parties} />}
          </section>
          <section aria-labelledby="pedigree-h" class="card">
            <h2 id="pedigree-h">Pedigree: every hand this pack passed through</h2>
            <Timeline steps={o.v.pedigree} parties={o.parties} places={o.places} />
          </section>
          <details class="card">
            <summary>Technical details (DSCSA verification response)</summary>
            <dl class="facts">
              <dt>Verified</dt>
              <dd>{String(o.v.data.verified)}</dd>
              <dt>Failure reason</dt>
              <dd>{o.v.data.verificationFailureReason ?? '—'}</dd>
              <dt>Additional info</dt>
              <dd>{o.v.data.additionalInfo ?? '—'}</dd>
              <dt>Responder GLN</dt>
              <dd>{o.v.responderGLN ?? '—'}</dd>
              <dt>Correlation UUID</dt>
              <dd>
                <code>{o.v.corrUUID}</code>
              </dd>
              <dt>Answered at</dt>
              <dd>
                <Time iso={o.v.verificationTimestamp} />
              </dd>
            </dl>
          </details>
        </>
      ) : null}
    </Layout>
  );
}

export function verifyPages(ctx: PageContext) {
  const app = newPageApp(ctx);
  app.get('/', requireSession(ctx.sessions), async (c) => {
    const session = c.get('session');
    // The raw scan, GS (0x1D) characters and `]d2` prefix included: the parser reads it as the scanner sent it.
    const scan = c.req.query('scan');
    if (scan === undefined || scan === '') return render(c, VerifyPage({ session, outcome: { kind: 'none' } }));
    const a = await apiOf(ctx, c)('GET', `/v1/verify?scan=${encodeURIComponent(scan)}`);
    let outcome: Outcome;
    if (a.ok) {
      const v = a.body as VerificationJson;
      const parties = await ctx.names.parties([
        v.unit?.owner,
        v.unit?.custodian,
        v.unit?.destination?.party,
        ...v.pedigree.flatMap((s) => [s.party, s.destinationParty]),
        ...v.alerts.flatMap((al) => al.sites),
      ]);
      const places = await ctx.names.locations([v.unit?.location, ...v.pedigree.map((s) => s.location)]);
      outcome = { kind: 'verified', scan, v, parties, places };
    } else if (a.status === 400) {
      const b = (a.body ?? {}) as { code?: string; detail?: string; position?: number };
      outcome = {
        kind: 'unreadable',
        scan,
        code: b.code ?? 'BAD_REQUEST',
        detail: b.detail ?? 'the code is not valid',
        position: typeof b.position === 'number' ? b.position : undefined,
      };
    } else if (a.status === 403) {
      outcome = { kind: 'refused', scan, detail: (a.body as { detail?: string } | undefined)?.detail ?? 'your account may not verify this pack' };
    } else {
      throw new Error(`verify answered ${a.status}: ${a.text.slice(0, 200)}`);
    }
    return render(c, VerifyPage({ session, outcome }));
  });
  return app;
}
