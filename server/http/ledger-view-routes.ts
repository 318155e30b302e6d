// Read routes behind the ledger page (issue 7): a page of log entries, newest first, and the devices the caller may
// list with their status. Handlers parse, call one verb, map.
import { Hono } from 'hono';
import { base64 } from './base64.js';
import { listEntrySummaries } from '../domain/list-entry-summaries.js';
import { listVisibleDevices } from '../domain/list-visible-devices.js';
import { PARTY_ROLES, type LedgerStore, type RegistryStore } from '../domain/ports.js';
import { deviceJson } from './admin-routes.js';
import { requireRole, type AuthVariables } from './auth.js';
import { parseOptionalIndexParam } from './query-params.js';

export interface LedgerViewRoutesOptions {
  readonly store: Pick<LedgerStore, 'treeSize' | 'entriesRange'>;
  readonly registry: Pick<RegistryStore, 'listDevices'>;
}

export function ledgerViewRoutes(o: LedgerViewRoutesOptions): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const anyParty = requireRole(...PARTY_ROLES);

  app.get('/v1/ledger/entries', anyParty, async (c) => {
    const page = await listEntrySummaries(o.store, c.get('caller')!, {
      before: parseOptionalIndexParam(c.req.query('before'), 'before'),
      limit: parseOptionalIndexParam(c.req.query('limit'), 'limit'),
    });
    return c.json({
      size: page.size,
      entries: page.entries.map((e) => ({ ...e, leafHash: base64(e.leafHash) })),
      next: page.next,
    });
  });
  app.get('/v1/ledger/devices', anyParty, async (c) => c.json({ devices: (await listVisibleDevices(o.registry, c.get('caller')!)).map(deviceJson) }));
  return app;
}
