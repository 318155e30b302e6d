// Alerts (DESIGN.md §6): the live list, filtered by code, site and GTIN (the table refreshes itself every few seconds
// through a fragment route, browser/live-region.ts), one alert with its evidence and notes, acknowledge and resolve.
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { ALERT_CODES } from '../../../schemas/codes.js';
import type { ApiAnswer } from './api-client.js';
import { problemText } from './api-client.js';
import { Badge, Layout, render, renderFragment, Time, type Notice } from './layout.js';
import { apiOf, newPageApp, type PageContext } from './page-context.js';
import { isSameOrigin, requireSession, type PageEnv, type Session } from './session.js';
import type { AlertJson } from './verify-page.js';
import { alertWords, capitalise, named } from './words.js';

const STATUSES = ['unresolved', 'open', 'acknowledged', 'resolved', 'all'] as const;

interface Filter {
  readonly code: string;
  readonly site: string;
  readonly gtin: string;
  readonly status: string;
}

function filterOf(q: (name: string) => string | undefined, session: Session): Filter {
  const code = q('code') ?? '';
  let site = (q('site') ?? '').trim();
  const gtin = (q('gtin') ?? '').trim();
  const status = q('status') ?? 'unresolved';
  // A party lists its own site's alerts (or, a manufacturer, its GTINs'): start there rather than at a refusal.
  const everything = session.caller.role === 'admin' || session.caller.role === 'regulator';
  if (!everything && q('site') === undefined && gtin === '' && session.caller.party) site = session.caller.party;
  return { code: (ALERT_CODES as readonly string[]).includes(code) ? code : '', site, gtin, status: (STATUSES as readonly string[]).includes(status) ? status : 'unresolved' };
}

function queryOf(f: Filter): string {
  const p = new URLSearchParams();
  if (f.code) p.set('code', f.code);
  if (f.site) p.set('site', f.site);
  if (f.gtin) p.set('gtin', f.gtin);
  p.set('status', f.status);
  return p.toString();
}

function apiQueryOf(f: Filter): string {
  const p = new URLSearchParams();
  if (f.code) p.set('code', f.code);
  if (f.site) p.set('site', f.site);
  if (f.gtin) p.set('gtin', f.gtin);
  if (f.status !== 'all') p.set('status', f.status);
  p.set('limit', '200');
  return p.toString();
}

const severityTone = (s: string) => (s === 'critical' || s === 'high' ? 'danger' : s === 'medium' ? 'warning' : 'neutral');

function AlertRows(p: { answer: ApiAnswer; parties: Map<string, string>; filter: Filter }) {
  if (!p.answer.ok) {
    return (
      <p class="notice notice--danger" role="alert" data-live-key={`error:${p.answer.status}`}>
        The alerts could not be listed: {problemText(p.answer)}
      </p>
    );
  }
  const alerts = (p.answer.body as { alerts: AlertJson[] }).alerts;
  if (alerts.length === 0) {
    return (
      <p data-newest="0" data-live-key="none">
        No alerts match these filters.
      </p>
    );
  }
  return (
    <div class="table-wrap" data-newest={String(Math.max(...alerts.map((a) => a.id)))} data-live-key={alerts.map((a) => `${a.id}:${a.status}`).join(',')}>
      <table class="data">
        <caption class="visually-hidden">Alerts, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Alert</th>
            <th scope="col">Pack or case</th>
            <th scope="col">Sites</th>
            <th scope="col">Raised</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr id={`alert-${a.id}`} data-code={a.code}>
              <td data-label="Severity">
                <Badge tone={severityTone(a.severity)}>{capitalise(a.severity)}</Badge>
              </td>
              <td data-label="Alert">
                <a href={`/alerts/${a.id}`} id={`alert-link-${a.id}`}>
                  {alertWords(a.code)}
                </a>
                <br />
                <span class="muted">{a.code}</span>
              </td>
              <td data-label="Pack or case">
                {a.serial !== undefined ? (
                  <>
                    GTIN {a.gtin} · serial <strong>{a.serial}</strong>
                  </>
                ) : a.sscc !== undefined ? (
                  <>SSCC {a.sscc}</>
                ) : (
                  a.epc
                )}
              </td>
              <td data-label="Sites">{a.sites.map((s) => named(s, p.parties)).join(', ') || '—'}</td>
              <td data-label="Raised">
                <Time iso={a.raisedAt} />
              </td>
              <td data-label="Status">{capitalise(a.status)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {(p.answer.body as { next: unknown }).next !== null ? <p class="muted">Showing the newest 200; narrow the filters to see older ones.</p> : null}
    </div>
  );
}

function AlertsPage(p: { session: Session; filter: Filter; rows: JSX.Element; pollMs: number }) {
  const f = p.filter;
  return (
    <Layout title="Alerts" session={p.session} section="alerts">
      <h1>Alerts</h1>
      <form method="get" action="/alerts" class="card filters" aria-label="Filter alerts">
        <div class="field">
          <label for="f-code">Alert</label>
          <select id="f-code" name="code">
            <option value="">Any alert</option>
            {ALERT_CODES.map((code) => (
              <option value={code} selected={f.code === code}>
                {alertWords(code)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-site">Site (GLN)</label>
          <input id="f-site" name="site" value={f.site} inputmode="numeric" autocomplete="off" pattern="[0-9]{13}" title="13-digit GLN" />
        </div>
        <div class="field">
          <label for="f-gtin">Product (GTIN)</label>
          <input id="f-gtin" name="gtin" value={f.gtin} inputmode="numeric" autocomplete="off" pattern="[0-9]{8}|[0-9]{12,14}" title="GTIN-8, 12, 13 or 14" />
        </div>
        <div class="field">
          <label for="f-status">Status</label>
          <select id="f-status" name="status">
            {STATUSES.map((s) => (
              <option value={s} selected={f.status === s}>
                {s === 'unresolved' ? 'Not resolved' : capitalise(s)}
              </option>
            ))}
          </select>
        </div>
        <div class="field field--button">
          <button type="submit">Show</button>
        </div>
      </form>
      <p id="live-status" class="live-status" role="status" aria-live="polite">
        This list updates by itself.
      </p>
      <div id="alert-rows" data-live-src={`/alert-rows?${queryOf(f)}`} data-live-every={String(p.pollMs)} data-live-announce="alert">
        {p.rows}
      </div>
    </Layout>
  );
}

interface AlertDetailJson extends AlertJson {
  readonly resolvedBy?: readonly number[];
}

const NOTICES: Record<string, Notice> = {
  acknowledged: { tone: 'ok', text: 'Alert acknowledged; your note is recorded.' },
  resolved: { tone: 'ok', text: 'Alert resolved; your note is recorded.' },
};

function AlertPage(p: { session: Session; alert: AlertDetailJson; parties: Map<string, string>; notice?: Notice | undefined; note?: string }) {
  const a = p.alert;
  const verifyHref = a.serial !== undefined && a.gtin !== undefined ? `/?scan=${encodeURIComponent(a.epc)}` : null;
  return (
    <Layout title={`Alert ${a.id}`} session={p.session} section="alerts" notice={p.notice}>
      <p>
        <a href="/alerts">← All alerts</a>
      </p>
      <h1>
        {alertWords(a.code)} <span class="muted">#{a.id}</span>
      </h1>
      <div class="card">
        <p>
          <Badge tone={severityTone(a.severity)}>{capitalise(a.severity)}</Badge> <Badge tone="neutral">{capitalise(a.status)}</Badge> <code>{a.code}</code>
        </p>
        <p>{a.detail}</p>
        <dl class="facts">
          <dt>Pack or case</dt>
          <dd>
            <code>{a.epc}</code> {verifyHref ? <a href={verifyHref}>Verify this pack</a> : null}
          </dd>
          <dt>Sites told</dt>
          <dd>{a.sites.map((s) => named(s, p.parties)).join(', ') || '—'}</dd>
          <dt>Event time</dt>
          <dd>
            <Time iso={a.eventTime} />
          </dd>
          <dt>Raised</dt>
          <dd>
            <Time iso={a.raisedAt} />
          </dd>
          <dt>Evidence (ledger entries)</dt>
          <dd>
            {a.evidence.length === 0
              ? '—'
              : a.evidence.map((i, k) => (
                  <>
                    {k > 0 ? ', ' : ''}
                    <a href={`/v1/entries/${i}`}>#{i}</a>
                  </>
                ))}
          </dd>
          {a.resolvedBy && a.resolvedBy.length > 0 ? (
            <>
              <dt>Resolved by entries</dt>
              <dd>{a.resolvedBy.map((i) => `#${i}`).join(', ')}</dd>
            </>
          ) : null}
        </dl>
      </div>
      <section aria-labelledby="notes-h" class="card">
        <h2 id="notes-h">Notes</h2>
        {a.actions && a.actions.length > 0 ? (
          <ol class="notes">
            {a.actions.map((x) => (
              <li>
                {x.action === 'auto_resolve' ? (
                  <strong>Resolved automatically by the ledger</strong>
                ) : (
                  <>
                    <strong>{x.action === 'acknowledge' ? 'Acknowledged' : 'Resolved'}</strong> by {x.actorParty ? named(x.actorParty, p.parties) : 'an administrator'}
                    {x.actorRole ? ` (${x.actorRole})` : ''}
                  </>
                )}
                {x.at ? (
                  <>
                    {' '}
                    · <Time iso={x.at} />
                  </>
                ) : null}
                <p>{x.note}</p>
              </li>
            ))}
          </ol>
        ) : (
          <p>No one has acted on this alert yet.</p>
        )}
      </section>
      {a.status !== 'resolved' ? (
        <section aria-labelledby="act-h" class="card">
          <h2 id="act-h">Act on this alert</h2>
          <form method="post" action={`/alerts/${a.id}/act`}>
            <label for="note">Note (what you found or did)</label>
            <textarea id="note" name="note" required maxlength={4000} rows={3}>
              {p.note ?? ''}
            </textarea>
            <div class="buttons">
              <button type="submit" name="action" value="acknowledge">
                Acknowledge
              </button>
              <button type="submit" name="action" value="resolve" class="secondary">
                Resolve
              </button>
            </div>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}

export function alertPages(ctx: PageContext) {
  const app = newPageApp(ctx);
  const signedIn = requireSession(ctx.sessions);

  const rows = async (c: Context<PageEnv>, filter: Filter) => {
    const answer = await apiOf(ctx, c)('GET', `/v1/alerts?${apiQueryOf(filter)}`);
    const alerts = answer.ok ? (answer.body as { alerts: AlertJson[] }).alerts : [];
    const parties = await ctx.names.parties(alerts.flatMap((a) => a.sites));
    return AlertRows({ answer, parties, filter });
  };

  app.get('/alerts', signedIn, async (c) => {
    const session = c.get('session');
    const filter = filterOf((n) => c.req.query(n), session);
    return render(c, AlertsPage({ session, filter, rows: await rows(c, filter), pollMs: ctx.alertPollMs }));
  });

  app.get('/alert-rows', signedIn, async (c) => renderFragment(c, await rows(c, filterOf((n) => c.req.query(n), c.get('session')))));

  const show = async (c: Context<PageEnv>, id: string, notice?: Notice, note?: string) => {
    const session = c.get('session');
    const a = await apiOf(ctx, c)('GET', `/v1/alerts/${encodeURIComponent(id)}`);
    if (!a.ok) {
      return render(
        c,
        <Layout title="Alert" session={session} section="alerts">
          <h1>Alert</h1>
          <p class="notice notice--danger" role="alert">
            {a.status === 404 ? 'There is no such alert.' : `This alert cannot be shown: ${problemText(a)}`}
          </p>
          <p>
            <a href="/alerts">All alerts</a>
          </p>
        </Layout>,
      );
    }
    const alert = a.body as AlertDetailJson;
    const parties = await ctx.names.parties([...alert.sites, ...(alert.actions ?? []).map((x) => x.actorParty)]);
    return render(c, AlertPage({ session, alert, parties, notice, ...(note !== undefined ? { note } : {}) }));
  };

  app.get('/alerts/:id', signedIn, async (c) => show(c, c.req.param('id'), NOTICES[c.req.query('notice') ?? '']));

  app.post('/alerts/:id/act', signedIn, async (c) => {
    const id = c.req.param('id');
    if (!isSameOrigin(c)) return show(c, id, { tone: 'danger', text: 'This form must be sent from the Pedigree page itself.' });
    const form = await c.req.parseBody();
    const action = form.action === 'resolve' ? 'resolve' : 'acknowledge';
    const note = typeof form.note === 'string' ? form.note : '';
    const a = await apiOf(ctx, c)('POST', `/v1/alerts/${encodeURIComponent(id)}/${action}`, { note });
    if (a.ok) return c.redirect(`/alerts/${encodeURIComponent(id)}?notice=${action === 'resolve' ? 'resolved' : 'acknowledged'}`, 303);
    return show(c, id, { tone: 'danger', text: `Not recorded: ${problemText(a)}` }, note);
  });
  return app;
}
