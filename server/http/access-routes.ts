// Access-control admin API (DESIGN.md §9; issue 6): list and revoke tokens, register manufacturers' company
// prefixes, list the recorded regulator queries. Admin only. Handlers parse, call one verb, map.
import { Hono } from 'hono';
import { addCompanyPrefix } from '../domain/add-company-prefix.js';
import { listRegulatorQueries } from '../domain/list-regulator-queries.js';
import type { AccessStore, RegistryStore } from '../domain/ports.js';
import { requireGln } from '../domain/identifiers.js';
import { revokeToken } from '../domain/revoke-token.js';
import { requireRole, type AuthVariables } from './auth.js';
import { readJsonBody } from './problem.js';
import { parseIndexParam, parseOptionalIndexParam } from './query-params.js';

export interface AccessRoutesOptions {
  readonly registry: RegistryStore;
  readonly access: AccessStore;
}

export function accessRoutes(o: AccessRoutesOptions): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const admin = requireRole();

  app.get('/v1/tokens', admin, async (c) => c.json({ tokens: await o.access.listTokens() }));
  app.post('/v1/tokens/:id/revoke', admin, async (c) => c.json(await revokeToken(o.registry, o.access, parseIndexParam(c.req.param('id'), 'id'))));
  app.post('/v1/parties/:gln/company-prefixes', admin, async (c) => {
    const body = await readJsonBody(c);
    const r = await addCompanyPrefix(o.registry, o.access, { party: c.req.param('gln'), prefix: body.prefix });
    return c.json({ party: r.party, prefix: r.prefix }, r.created ? 201 : 200);
  });
  app.get('/v1/parties/:gln/company-prefixes', admin, async (c) => {
    const party = requireGln(c.req.param('gln'), 'party');
    return c.json({ party, prefixes: await o.access.companyPrefixes(party) });
  });
  app.get('/v1/audit/regulator-queries', admin, async (c) => {
    const limit = Math.min(parseOptionalIndexParam(c.req.query('limit'), 'limit') ?? 100, 1000);
    const queries = await listRegulatorQueries(o.access, {
      party: c.req.query('party'),
      since: c.req.query('since'),
      beforeId: parseOptionalIndexParam(c.req.query('before'), 'before'),
      limit,
    });
    return c.json({ queries, next: queries.length === limit ? `/v1/audit/regulator-queries?before=${queries.at(-1)!.id}&limit=${limit}` : null });
  });
  return app;
}
