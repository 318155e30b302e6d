// The Hono application: route groups, authentication, and the one place errors become problem+json.
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { LedgerSigner, LedgerStore, RegistryStore } from '../domain/ports.js';
import type { MqttCredentialIssuer } from '../domain/enroll-device.js';
import { PedigreeError } from '../domain/pedigree-error.js';
import type { CheckpointCache } from '../domain/checkpoint-cache.js';
import { TreeNodeMissingError } from '../log/log-errors.js';
import { bearerAuth, type AuthVariables } from './auth.js';
import { problem, problemFromError } from './problem.js';
import { logRoutes } from './log-routes.js';
import { adminRoutes } from './admin-routes.js';
import { custodyRoutes, type CustodyRoutesOptions } from './custody-routes.js';
import { alertRoutes } from './alert-routes.js';
import { installAccessControl, recordRegulatorQueries, type AccessControlOptions } from './access-control.js';
import { recallRoutes, type RecallRoutesOptions } from './recall-routes.js';
import { ledgerViewRoutes } from './ledger-view-routes.js';
import { recallProgressRoutes } from './recall-progress-routes.js';
import { pageRoutes, type PageRoutesOptions } from './pages/page-routes.js';

export interface AppOptions {
  readonly store: LedgerStore;
  readonly registry: RegistryStore;
  readonly signer: LedgerSigner;
  readonly credentials: MqttCredentialIssuer;
  readonly metrics: Registry;
  readonly health: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  readonly onDeviceChanged?: (device: string, change: 'revoked' | 'rotated') => void;
  readonly onError?: (error: unknown) => void;
  /** Serves the latest checkpoint and proof sizes from memory (checkpoint-cache.ts). */
  readonly checkpoints?: CheckpointCache;
  /** Verification, units, containers and alerts (custody rules). */
  readonly custody?: CustodyRoutesOptions;
  /** Token admin, company prefixes, regulator query record, EPCIS 2.0 capture and query, visibility (issue 6). */
  readonly accessControl?: AccessControlOptions;
  /** Recalls: issue, report, acknowledge, close (DESIGN.md §8). */
  readonly recalls?: RecallRoutesOptions;
  /** The web pages (issue 7): polling intervals and session limits; pages are always served. */
  readonly pages?: Pick<PageRoutesOptions, 'alertPollMs' | 'reportPollMs' | 'sessions'>;
}

export function createApp(o: AppOptions): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/healthz', async (c) => {
    const h = await o.health();
    return c.json({ status: h.ok ? 'ok' : 'degraded', checks: h.checks }, h.ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => c.body(await o.metrics.metrics(), 200, { 'Content-Type': o.metrics.contentType }));
  app.use('/v1/*', bearerAuth(o.registry));
  if (o.accessControl) app.use('*', recordRegulatorQueries({ access: o.accessControl.access, ...(o.onError ? { onError: o.onError } : {}) }));
  app.route('/', logRoutes({ store: o.store, signer: o.signer, ...(o.checkpoints ? { checkpoints: o.checkpoints } : {}) }));
  app.route(
    '/',
    adminRoutes({
      registry: o.registry,
      store: o.store,
      credentials: o.credentials,
      ...(o.onDeviceChanged ? { onDeviceChanged: o.onDeviceChanged } : {}),
    }),
  );
  if (o.accessControl) {
    installAccessControl(app, o.accessControl, { registry: o.registry, ...(o.custody ? { custody: o.custody.custody } : {}), ...(o.onError ? { onError: o.onError } : {}) });
  }
  if (o.custody) {
    app.route('/', custodyRoutes(o.custody));
    app.route('/', alertRoutes({ custody: o.custody.custody, ...(o.custody.notifier ? { notifier: o.custody.notifier } : {}) }));
  }
  if (o.recalls) {
    app.route('/', recallRoutes(o.recalls));
    app.route('/', recallProgressRoutes(o.recalls));
  }
  app.route('/', ledgerViewRoutes({ store: o.store, registry: o.registry }));
  // Pages call the JSON API above in-process, with the session's token: the same access control applies.
  app.route('/', pageRoutes({ ...o.pages, api: (path, init) => app.request(path, init), registry: o.registry, ...(o.onError ? { onError: o.onError } : {}) }));
  app.notFound((c) => problem(c, 404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`));
  app.onError((e, c) => {
    if (e instanceof PedigreeError) return problemFromError(c, e);
    o.onError?.(e);
    if (e instanceof TreeNodeMissingError) return problem(c, 500, e.code, 'the log store is damaged: run npm run audit');
    return problem(c, 500, 'INTERNAL', 'an unexpected error occurred; it has been logged');
  });
  return app;
}
