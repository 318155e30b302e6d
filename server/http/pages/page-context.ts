// What every page group shares: the in-process API, display names, sessions, and one way errors become pages (a
// revoked token signs the person out; anything unexpected is logged and shown without a stack trace).
import { Hono, type Context } from 'hono';
import { callApi, SessionEndedError, type ApiAnswer, type ApiFetch } from './api-client.js';
import { ErrorPage, render } from './layout.js';
import type { Names } from './names.js';
import { clearSessionCookie, sessionOf, type PageEnv, type SessionStore } from './session.js';

export interface PageContext {
  readonly fetchApi: ApiFetch;
  readonly names: Names;
  readonly sessions: SessionStore;
  /** How often the alerts page asks for new alerts. */
  readonly alertPollMs: number;
  /** How often a recall's report refreshes. */
  readonly reportPollMs: number;
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** The session's API, for a handler behind requireSession. */
export function apiOf(ctx: PageContext, c: Context<PageEnv>) {
  const session = c.get('session');
  return (method: string, path: string, body?: unknown): Promise<ApiAnswer> => callApi(ctx.fetchApi, session, method, path, body);
}

export function newPageApp(ctx: PageContext): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  app.onError(async (e, c) => {
    const session = sessionOf(c, ctx.sessions);
    if (e instanceof SessionEndedError) {
      if (session) ctx.sessions.close(session.id);
      clearSessionCookie(c);
      // A live region's request gets a marker instead of a redirect it would follow into a sign-in page fragment.
      if (c.req.header('X-Pedigree-Live') === '1') return c.body(null, 204, { 'X-Pedigree-Session': 'ended' });
      return c.redirect('/sign-in?notice=session-ended', 303);
    }
    ctx.onError?.(e);
    return render(c, ErrorPage({ session, title: 'Something went wrong', message: 'The page could not be shown. The error has been logged; try again in a moment.' }), 500);
  });
  return app;
}
