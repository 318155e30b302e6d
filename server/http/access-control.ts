// Wires issue 6 into the app: the access-control admin routes, the EPCIS 2.0 routes, and the visibility guards in
// front of the custody read routes (registered before them, so they run first).
import type { Hono } from 'hono';
import type { AccessStore, CustodyStore, RegistryStore } from '../domain/ports.js';
import { accessRoutes } from './access-routes.js';
import type { AuthVariables } from './auth.js';
import { epcisRoutes, type EpcisRoutesOptions } from './epcis-routes.js';
import { visibilityGuards } from './visibility-guards.js';

export { recordRegulatorQueries } from './regulator-audit.js';

export interface AccessControlOptions {
  readonly access: AccessStore;
  readonly epcis: Omit<EpcisRoutesOptions, 'registry' | 'access' | 'onError'>;
}

export function installAccessControl(
  app: Hono<{ Variables: AuthVariables }>,
  ac: AccessControlOptions,
  o: { readonly registry: RegistryStore; readonly custody?: Pick<CustodyStore, 'findAlert'>; readonly onError?: (e: unknown) => void },
): void {
  app.route('/', accessRoutes({ registry: o.registry, access: ac.access }));
  app.route('/', epcisRoutes({ ...ac.epcis, registry: o.registry, access: ac.access, ...(o.onError ? { onError: o.onError } : {}) }));
  const g = visibilityGuards({ access: ac.access, ...(o.custody ? { custody: o.custody } : {}) });
  app.use('/v1/units/01/:gtin/21/:serial', g.unit);
  app.use('/v1/containers/00/:sscc', g.container);
  app.use('/v1/verify/01/:gtin/21/:serial', g.verifyUnit);
  app.on('GET', '/v1/verify', g.verifyScan);
  app.on('GET', '/v1/alerts', g.alertList);
  app.on('GET', '/v1/alerts/:id', g.alert);
}
