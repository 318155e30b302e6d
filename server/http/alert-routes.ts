// Alerts over HTTP (DESIGN.md §6): list and filter, read one with its notes, acknowledge or resolve with a note.
import { Hono } from 'hono';
import { alertJson } from '../domain/apply-custody-rules.js';
import { acknowledgeAlert } from '../domain/acknowledge-alert.js';
import { listAlerts } from '../domain/list-alerts.js';
import { PedigreeError } from '../domain/pedigree-error.js';
import { PARTY_ROLES, type CustodyStore, type Notifier } from '../domain/ports.js';
import { resolveAlert } from '../domain/resolve-alert.js';
import { requireRole, type AuthVariables } from './auth.js';
import { readJsonBody } from './problem.js';
import { parseIndexParam, parseOptionalIndexParam } from './query-params.js';

export interface AlertRoutesOptions {
  readonly custody: CustodyStore;
  /** Sites are told when an alert they share is acknowledged or resolved. */
  readonly notifier?: Pick<Notifier, 'publishAlert'>;
}

export function alertRoutes(o: AlertRoutesOptions): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const reader = requireRole(...PARTY_ROLES);

  app.get('/v1/alerts', reader, async (c) => {
    const limit = parseOptionalIndexParam(c.req.query('limit'), 'limit') ?? 100;
    const found = await listAlerts(o.custody, {
      code: c.req.query('code'),
      gtin: c.req.query('gtin'),
      site: c.req.query('site'),
      since: c.req.query('since'),
      status: c.req.query('status'),
      beforeId: parseOptionalIndexParam(c.req.query('before'), 'before'),
      limit,
    });
    return c.json({ alerts: found.map(alertJson), next: found.length === limit ? found.at(-1)!.id : null });
  });
  app.get('/v1/alerts/:id', reader, async (c) => {
    const a = await o.custody.findAlert(parseIndexParam(c.req.param('id'), 'id'));
    if (!a) throw new PedigreeError('NOT_FOUND', `no alert ${c.req.param('id').slice(0, 20)}`);
    return c.json(alertJson(a));
  });
  for (const [path, verb] of [
    ['acknowledge', acknowledgeAlert],
    ['resolve', resolveAlert],
  ] as const) {
    app.post(`/v1/alerts/:id/${path}`, reader, async (c) => {
      const body = await readJsonBody(c);
      const updated = await verb(o.custody, c.get('caller')!, parseIndexParam(c.req.param('id'), 'id'), body.note);
      const publish = o.notifier?.publishAlert?.bind(o.notifier);
      if (publish) await Promise.all(updated.sites.map((s) => publish(s, alertJson(updated)).catch(() => undefined)));
      return c.json(alertJson(updated));
    });
  }
  return app;
}
