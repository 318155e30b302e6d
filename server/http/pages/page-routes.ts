// The web pages (issue 7), served by the ledger itself: Verify at `/`, Alerts, Recalls, Ledger, sign-in. Pages are
// server-rendered Hono JSX; they read and act through the JSON API in-process with the session's token, so a page
// shows a party exactly what the API would give it.
import { Hono } from 'hono';
import type { RegistryStore } from '../../domain/ports.js';
import { alertPages } from './alerts-page.js';
import type { ApiFetch } from './api-client.js';
import { assetRoutes } from './assets.js';
import { ledgerPages } from './ledger-page.js';
import { Names } from './names.js';
import type { PageContext } from './page-context.js';
import { recallPages } from './recalls-page.js';
import { SessionStore, type SessionStoreOptions } from './session.js';
import { signInPages } from './sign-in-page.js';
import { verifyPages } from './verify-page.js';

export interface PageRoutesOptions {
  /** The app's own fetch (e.g. `(path, init) => app.request(path, init)`). */
  readonly api: ApiFetch;
  readonly registry: RegistryStore;
  readonly sessions?: SessionStoreOptions;
  /** Default 3 s. */
  readonly alertPollMs?: number;
  /** Default 5 s. */
  readonly reportPollMs?: number;
  readonly onError?: (error: unknown) => void;
}

export function pageRoutes(o: PageRoutesOptions): Hono {
  const ctx: PageContext = {
    fetchApi: o.api,
    names: new Names(o.registry),
    sessions: new SessionStore(o.sessions),
    alertPollMs: o.alertPollMs ?? 3000,
    reportPollMs: o.reportPollMs ?? 5000,
    onError: o.onError,
  };
  const app = new Hono();
  app.route('/', assetRoutes({ onError: o.onError }));
  app.route('/', signInPages(ctx, o.registry));
  app.route('/', verifyPages(ctx));
  app.route('/', alertPages(ctx));
  app.route('/', recallPages(ctx));
  app.route('/', ledgerPages(ctx));
  return app;
}
