// Recalls (DESIGN.md §8): the list, the issue form (manufacturers of the GTIN and regulators), one recall with its
// report — where every unit is now, per custodian and status, a chart of accounted vs outstanding over time, the
// sites told and who acknowledged — refreshing itself, a CSV download, and a site's acknowledgement.
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { problemText, type ApiAnswer } from './api-client.js';
import { Badge, Layout, render, renderFragment, Time, type Notice } from './layout.js';
import { apiOf, newPageApp, type PageContext } from './page-context.js';
import { RecallChart, type ProgressPoint } from './recall-chart.js';
import { isSameOrigin, requireSession, type PageEnv, type Session } from './session.js';
import { capitalise, named, stateWords } from './words.js';

interface RecallJson {
  readonly id: string;
  readonly scope: { gtin: string; lots?: string[]; serials?: string[]; expiryFrom?: string; expiryTo?: string };
  readonly class: 'I' | 'II' | 'III';
  readonly reason: string;
  readonly instructions: string | null;
  readonly issuer: string | null;
  readonly issuerRole: string;
  readonly issuedAt: string;
  readonly entryIndex: number | null;
  readonly status: 'open' | 'closed';
  readonly closedAt: string | null;
}

interface SiteJson {
  readonly site: string;
  readonly notifiedAt: string | null;
  readonly acknowledgedAt: string | null;
  readonly note: string | null;
}

interface ReportJson {
  readonly recall: RecallJson;
  readonly generatedAt: string;
  readonly total: number;
  readonly counts: Record<string, number>;
  readonly outstanding: number;
  readonly byCustodian: readonly { custodian: string | null; counts: Record<string, number>; units: string[] }[];
  readonly units: readonly { epc: string; serial: string; lot: string | null; expiry: string | null; status: string; custodian: string | null; destination: string | null }[];
  readonly sites: readonly SiteJson[];
  readonly openAlerts: readonly { id: number; code: string }[];
}

const CLASS_WORDS: Record<string, string> = {
  I: 'Class I — a reasonable probability of serious harm or death',
  II: 'Class II — temporary or medically reversible harm',
  III: 'Class III — unlikely to cause harm',
};

/** The statuses shown as their own columns; the rest are summed as "other". */
const MAIN_STATUSES = ['in_stock', 'in_transit', 'dispensed', 'destroyed', 'returned'] as const;
const mayIssue = (s: Session) => s.caller.role === 'admin' || s.caller.role === 'manufacturer' || s.caller.role === 'regulator';

function scopeWords(scope: RecallJson['scope']): string {
  const base = `GTIN ${scope.gtin}`;
  const range = scope.expiryFrom || scope.expiryTo ? `, expiring ${scope.expiryFrom ?? '…'} to ${scope.expiryTo ?? '…'}` : '';
  if (scope.lots) return `${base}, lot${scope.lots.length > 1 ? 's' : ''} ${scope.lots.join(', ')}${range}`;
  if (scope.serials) {
    const shown = scope.serials.slice(0, 10).join(', ');
    return `${base}, serial${scope.serials.length > 1 ? 's' : ''} ${shown}${scope.serials.length > 10 ? ` and ${scope.serials.length - 10} more` : ''}${range}`;
  }
  return `${base}, every pack (withdrawal)${range}`;
}

interface IssueForm {
  readonly gtin: string;
  readonly kind: 'lots' | 'serials' | 'all';
  readonly values: string;
  readonly class: string;
  readonly reason: string;
  readonly instructions: string;
}

const EMPTY_FORM: IssueForm = { gtin: '', kind: 'lots', values: '', class: 'II', reason: '', instructions: '' };

function IssueRecallForm(p: { form: IssueForm }) {
  const f = p.form;
  return (
    <section aria-labelledby="issue-h" class="card">
      <h2 id="issue-h">Issue a recall</h2>
      <form method="post" action="/recalls" class="stack">
        <label for="r-gtin">Product (GTIN)</label>
        <input id="r-gtin" name="gtin" required inputmode="numeric" autocomplete="off" pattern="[0-9]{8}|[0-9]{12,14}" title="GTIN-8, 12, 13 or 14" value={f.gtin} />
        <fieldset>
          <legend>Which packs</legend>
          <label class="choice">
            <input type="radio" name="kind" value="lots" checked={f.kind === 'lots'} /> These lots
          </label>
          <label class="choice">
            <input type="radio" name="kind" value="serials" checked={f.kind === 'serials'} /> These serial numbers
          </label>
          <label class="choice">
            <input type="radio" name="kind" value="all" checked={f.kind === 'all'} /> Every pack of the product (withdrawal)
          </label>
        </fieldset>
        <label for="r-values">Lots or serial numbers</label>
        <textarea id="r-values" name="values" rows={3} aria-describedby="r-values-help">
          {f.values}
        </textarea>
        <p id="r-values-help" class="help">
          One per line, or separated by commas. Leave empty for a withdrawal.
        </p>
        <label for="r-class">Class</label>
        <select id="r-class" name="class">
          {(['I', 'II', 'III'] as const).map((k) => (
            <option value={k} selected={f.class === k}>
              {CLASS_WORDS[k]}
            </option>
          ))}
        </select>
        <label for="r-reason">Reason</label>
        <textarea id="r-reason" name="reason" rows={2} required maxlength={2000}>
          {f.reason}
        </textarea>
        <label for="r-instructions">Instructions to sites (optional)</label>
        <textarea id="r-instructions" name="instructions" rows={2} maxlength={4000}>
          {f.instructions}
        </textarea>
        <div class="buttons">
          <button type="submit">Issue recall</button>
        </div>
      </form>
    </section>
  );
}

function RecallsPage(p: { session: Session; answer: ApiAnswer; parties: Map<string, string>; form: IssueForm; notice?: Notice | undefined; gtin?: string | undefined }) {
  const recalls = p.answer.ok ? (p.answer.body as { recalls: RecallJson[] }).recalls : [];
  return (
    <Layout title="Recalls" session={p.session} section="recalls" notice={p.notice}>
      <h1>Recalls</h1>
      <section aria-labelledby="list-h" class="card">
        <h2 id="list-h">Recalls, newest first</h2>
        {p.gtin ? (
          <p>
            Recalls of GTIN {p.gtin}. <a href="/recalls">Show every recall</a>
          </p>
        ) : null}
        {!p.answer.ok ? (
          <p class="notice notice--danger" role="alert">
            The recalls could not be listed: {problemText(p.answer)}
          </p>
        ) : recalls.length === 0 ? (
          <p>No recall has been issued.</p>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Recall</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Class</th>
                  <th scope="col">Issued</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {recalls.map((r) => (
                  <tr>
                    <td data-label="Recall">
                      <a href={`/recalls/${r.id}`}>{r.reason.length > 80 ? `${r.reason.slice(0, 80)}…` : r.reason}</a>
                      <br />
                      <span class="muted">{r.id}</span>
                    </td>
                    <td data-label="Scope">{scopeWords(r.scope)}</td>
                    <td data-label="Class">
                      <Badge tone={r.class === 'I' ? 'danger' : 'warning'}>Class {r.class}</Badge>
                    </td>
                    <td data-label="Issued">
                      <Time iso={r.issuedAt} /> by {r.issuer ? named(r.issuer, p.parties) : 'an administrator'}
                    </td>
                    <td data-label="Status">{capitalise(r.status)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {mayIssue(p.session) ? <IssueRecallForm form={p.form} /> : null}
    </Layout>
  );
}

function countsRow(counts: Record<string, number>) {
  const other = Object.entries(counts)
    .filter(([k]) => !(MAIN_STATUSES as readonly string[]).includes(k))
    .reduce((n, [, v]) => n + v, 0);
  return [...MAIN_STATUSES.map((s) => counts[s] ?? 0), other];
}

/** The part of a recall's page that refreshes itself: the report and its chart. */
function ReportSection(p: { report: ApiAnswer; progress: ApiAnswer; parties: Map<string, string>; id: string }) {
  if (!p.report.ok) {
    return (
      <p class="notice notice--neutral" data-live-key={`error:${p.report.status}`}>
        {p.report.status === 403
          ? 'The report of where each unit is goes to the product’s manufacturer and to regulators.'
          : `The report could not be read: ${problemText(p.report)}`}
      </p>
    );
  }
  const r = p.report.body as ReportJson;
  const accounted = r.total - r.outstanding;
  const key = [r.total, r.outstanding, ...r.byCustodian.map((b) => `${b.custodian}:${Object.values(b.counts).join('.')}`)].join('|');
  return (
    <div data-live-key={key}>
      <dl class="tally" aria-label="Units in scope">
        <div>
          <dt>Units in scope</dt>
          <dd id="tally-total">{r.total}</dd>
        </div>
        <div class="tally--ok">
          <dt>Accounted for</dt>
          <dd id="tally-accounted">{accounted}</dd>
        </div>
        <div class={r.outstanding > 0 ? 'tally--danger' : 'tally--ok'}>
          <dt>Outstanding</dt>
          <dd id="tally-outstanding">{r.outstanding}</dd>
        </div>
      </dl>
      <p class="muted">
        As of <Time iso={r.generatedAt} />. Outstanding means still in stock or in transit somewhere in the supply chain.
      </p>
      {p.progress.ok ? (
        <RecallChart points={(p.progress.body as { points: ProgressPoint[] }).points} total={(p.progress.body as { total: number }).total} />
      ) : null}
      <h3>Where the units are, per custodian</h3>
      <div class="table-wrap">
        <table class="data" id="by-custodian">
          <thead>
            <tr>
              <th scope="col">Custodian</th>
              {MAIN_STATUSES.map((s) => (
                <th scope="col">{capitalise(stateWords(s))}</th>
              ))}
              <th scope="col">Other</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {r.byCustodian.map((b) => (
              <tr>
                <th scope="row">{b.custodian ? named(b.custodian, p.parties) : 'No custodian (never commissioned)'}</th>
                {countsRow(b.counts).map((n, i) => (
                  <td data-label={i < MAIN_STATUSES.length ? capitalise(stateWords(MAIN_STATUSES[i]!)) : 'Other'}>{n}</td>
                ))}
                <td data-label="Total">{b.units.length}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">All custodians</th>
              {countsRow(r.counts).map((n) => (
                <td>{n}</td>
              ))}
              <td>{r.total}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p>
        <a href={`/recalls/${p.id}/report.csv`} download>
          Download the report as CSV
        </a>{' '}
        (one row per unit)
        {r.openAlerts.length > 0 ? (
          <>
            {' · '}
            <a href={`/alerts?gtin=${encodeURIComponent(r.recall.scope.gtin)}`}>{r.openAlerts.length} open alerts about these units</a>
          </>
        ) : null}
      </p>
      <details>
        <summary>Every unit ({r.units.length})</summary>
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Serial</th>
                <th scope="col">Lot</th>
                <th scope="col">Status</th>
                <th scope="col">Custodian</th>
              </tr>
            </thead>
            <tbody>
              {r.units.slice(0, 500).map((u) => (
                <tr>
                  <td data-label="Serial">{u.serial}</td>
                  <td data-label="Lot">{u.lot ?? '—'}</td>
                  <td data-label="Status">
                    {capitalise(stateWords(u.status))}
                    {u.destination ? ` to ${named(u.destination, p.parties)}` : ''}
                  </td>
                  <td data-label="Custodian">{named(u.custodian, p.parties)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {r.units.length > 500 ? <p class="muted">The first 500 are shown; the CSV has them all.</p> : null}
      </details>
    </div>
  );
}

function SitesTable(p: { sites: readonly SiteJson[]; parties: Map<string, string> }) {
  if (p.sites.length === 0) return <p>No site held units of this recall when it was issued.</p>;
  return (
    <div class="table-wrap">
      <table class="data" id="sites">
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col">Notified</th>
            <th scope="col">Acknowledged</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {p.sites.map((s) => (
            <tr>
              <th scope="row">{named(s.site, p.parties)}</th>
              <td data-label="Notified">
                <Time iso={s.notifiedAt} />
              </td>
              <td data-label="Acknowledged">{s.acknowledgedAt ? <Time iso={s.acknowledgedAt} /> : <Badge tone="warning">Not yet</Badge>}</td>
              <td data-label="Note">{s.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const NOTICES: Record<string, Notice> = {
  issued: { tone: 'ok', text: 'Recall issued: it is in the ledger, every affected pack is marked recalled and the sites holding them are told.' },
  acknowledged: { tone: 'ok', text: 'Your site’s acknowledgement is recorded.' },
};

function RecallPage(p: {
  session: Session;
  recall: RecallJson & { sites: SiteJson[] };
  parties: Map<string, string>;
  report: JSX.Element;
  pollMs: number;
  notice?: Notice | undefined;
}) {
  const r = p.recall;
  const mine = p.session.caller.party !== null ? r.sites.find((s) => s.site === p.session.caller.party) : undefined;
  return (
    <Layout title={`Recall ${r.id}`} session={p.session} section="recalls" notice={p.notice}>
      <p>
        <a href="/recalls">← All recalls</a>
      </p>
      <h1>
        Recall: {r.reason.length > 100 ? `${r.reason.slice(0, 100)}…` : r.reason}
      </h1>
      <div class="card">
        <p>
          <Badge tone={r.class === 'I' ? 'danger' : 'warning'}>Class {r.class}</Badge> <Badge tone={r.status === 'open' ? 'danger' : 'neutral'}>{capitalise(r.status)}</Badge>{' '}
          <code>{r.id}</code>
        </p>
        <dl class="facts">
          <dt>Scope</dt>
          <dd>{scopeWords(r.scope)}</dd>
          <dt>Class</dt>
          <dd>{CLASS_WORDS[r.class]}</dd>
          <dt>Reason</dt>
          <dd>{r.reason}</dd>
          <dt>Instructions</dt>
          <dd>{r.instructions ?? '—'}</dd>
          <dt>Issued</dt>
          <dd>
            <Time iso={r.issuedAt} /> by {r.issuer ? named(r.issuer, p.parties) : 'an administrator'} ({r.issuerRole})
            {r.entryIndex !== null ? (
              <>
                {' '}
                · ledger entry <a href={`/v1/entries/${r.entryIndex}`}>#{r.entryIndex}</a>
              </>
            ) : null}
          </dd>
        </dl>
      </div>
      <section aria-labelledby="report-h" class="card">
        <h2 id="report-h">Report</h2>
        <p id="live-status" class="live-status" role="status" aria-live="polite">
          This report updates by itself.
        </p>
        <div id="report" data-live-src={`/recalls/${r.id}/report-fragment`} data-live-every={String(p.pollMs)}>
          {p.report}
        </div>
      </section>
      <section aria-labelledby="sites-h" class="card">
        <h2 id="sites-h">Sites told and acknowledgements</h2>
        <SitesTable sites={r.sites} parties={p.parties} />
        {mine ? (
          <form method="post" action={`/recalls/${r.id}/acknowledge`} class="stack">
            <h3>{mine?.acknowledgedAt ? 'Acknowledge again' : 'Acknowledge for your site'}</h3>
            <label for="ack-note">Note (optional: what your site did)</label>
            <textarea id="ack-note" name="note" rows={2} maxlength={2000}></textarea>
            <div class="buttons">
              <button type="submit">Acknowledge</button>
            </div>
          </form>
        ) : null}
      </section>
    </Layout>
  );
}

function splitValues(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function recallPages(ctx: PageContext) {
  const app = newPageApp(ctx);
  const signedIn = requireSession(ctx.sessions);

  const list = async (c: Context<PageEnv>, form: IssueForm, notice?: Notice) => {
    const q = c.req.query('gtin');
    const gtin = q !== undefined && /^[0-9]{14}$/.test(q) ? q : undefined;
    const answer = await apiOf(ctx, c)('GET', `/v1/recalls?limit=200${gtin ? `&gtin=${gtin}` : ''}`);
    const parties = await ctx.names.parties(answer.ok ? (answer.body as { recalls: RecallJson[] }).recalls.map((r) => r.issuer) : []);
    return render(c, RecallsPage({ session: c.get('session'), answer, parties, form, notice, gtin }));
  };

  app.get('/recalls', signedIn, (c) => list(c, EMPTY_FORM));

  app.post('/recalls', signedIn, async (c) => {
    const f = await c.req.parseBody();
    const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
    const form: IssueForm = {
      gtin: str('gtin').trim(),
      kind: str('kind') === 'serials' ? 'serials' : str('kind') === 'all' ? 'all' : 'lots',
      values: str('values'),
      class: str('class'),
      reason: str('reason'),
      instructions: str('instructions'),
    };
    if (!isSameOrigin(c)) return list(c, form, { tone: 'danger', text: 'This form must be sent from the Pedigree page itself.' });
    const values = splitValues(form.values);
    if (form.kind !== 'all' && values.length === 0) {
      return list(c, form, { tone: 'danger', text: `Name at least one ${form.kind === 'lots' ? 'lot' : 'serial number'}, or choose a withdrawal of every pack.` });
    }
    const gtin = /^[0-9]{8}$|^[0-9]{12,14}$/.test(form.gtin) ? form.gtin.padStart(14, '0') : form.gtin;
    const body = {
      scope: { gtin, ...(form.kind === 'lots' ? { lots: values } : form.kind === 'serials' ? { serials: values } : {}) },
      class: form.class,
      reason: form.reason,
      ...(form.instructions.trim() !== '' ? { instructions: form.instructions } : {}),
    };
    const a = await apiOf(ctx, c)('POST', '/v1/recalls', body);
    if (a.ok) return c.redirect(`/recalls/${(a.body as { id: string }).id}?notice=issued`, 303);
    return list(c, form, { tone: 'danger', text: `The recall was not issued: ${problemText(a)}` });
  });

  const report = async (c: Context<PageEnv>, id: string) => {
    const api = apiOf(ctx, c);
    const [r, progress] = await Promise.all([api('GET', `/v1/recalls/${id}/report`), api('GET', `/v1/recalls/${id}/progress`)]);
    const body = r.ok ? (r.body as ReportJson) : undefined;
    const parties = await ctx.names.parties(body ? [...body.byCustodian.map((b) => b.custodian), ...body.units.map((u) => u.destination)] : []);
    return { element: ReportSection({ report: r, progress, parties, id }), total: body?.total ?? 0 };
  };

  app.get('/recalls/:id', signedIn, async (c) => {
    const session = c.get('session');
    const id = encodeURIComponent(c.req.param('id'));
    const a = await apiOf(ctx, c)('GET', `/v1/recalls/${id}`);
    if (!a.ok) {
      return render(
        c,
        <Layout title="Recall" session={session} section="recalls">
          <h1>Recall</h1>
          <p class="notice notice--danger" role="alert">
            {a.status === 404 ? 'There is no such recall.' : `This recall cannot be shown: ${problemText(a)}`}
          </p>
          <p>
            <a href="/recalls">All recalls</a>
          </p>
        </Layout>,
      );
    }
    const recall = a.body as RecallJson & { sites: SiteJson[] };
    const parties = await ctx.names.parties([recall.issuer, ...recall.sites.map((s) => s.site)]);
    const r = await report(c, id);
    // A large recall's report is a large read: it refreshes less often (every 5 s up to 5,000 units, then slower).
    const pollMs = ctx.reportPollMs * Math.max(1, Math.ceil(r.total / 5000));
    return render(c, RecallPage({ session, recall, parties, report: r.element, pollMs, notice: NOTICES[c.req.query('notice') ?? ''] }));
  });

  app.get('/recalls/:id/report-fragment', signedIn, async (c) => renderFragment(c, await (await report(c, encodeURIComponent(c.req.param('id')))).element));

  // The CSV comes through the page's session: the token never goes into a link.
  app.get('/recalls/:id/report.csv', signedIn, async (c) => {
    const id = encodeURIComponent(c.req.param('id'));
    const a = await apiOf(ctx, c)('GET', `/v1/recalls/${id}/report?format=csv`);
    if (!a.ok) return c.text(`The report could not be downloaded: ${problemText(a)}\n`, a.status === 403 ? 403 : a.status === 404 ? 404 : 500);
    return c.body(a.text, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': a.headers.get('Content-Disposition') ?? `attachment; filename="${id}.csv"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  app.post('/recalls/:id/acknowledge', signedIn, async (c) => {
    const id = encodeURIComponent(c.req.param('id'));
    if (!isSameOrigin(c)) return c.redirect(`/recalls/${id}`, 303);
    const f = await c.req.parseBody();
    const note = typeof f.note === 'string' && f.note.trim() !== '' ? f.note : undefined;
    const a = await apiOf(ctx, c)('POST', `/v1/recalls/${id}/acknowledgements`, note !== undefined ? { note } : {});
    if (a.ok) return c.redirect(`/recalls/${id}?notice=acknowledged`, 303);
    return render(
      c,
      <Layout title="Recall" session={c.get('session')} section="recalls" notice={{ tone: 'danger', text: `Not recorded: ${problemText(a)}` }}>
        <p>
          <a href={`/recalls/${id}`}>Back to the recall</a>
        </p>
      </Layout>,
    );
  });
  return app;
}
