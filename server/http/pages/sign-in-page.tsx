// Sign-in with a ledger token (DESIGN.md §9) and sign-out. The token is posted once, checked, and kept server-side
// for the session; the browser only holds an opaque session id in an HttpOnly cookie.
import type { Context } from 'hono';
import { authenticateToken } from '../../domain/create-token.js';
import type { RegistryStore } from '../../domain/ports.js';
import { Layout, render, type Notice } from './layout.js';
import { newPageApp, type PageContext } from './page-context.js';
import { clearSessionCookie, isSameOrigin, safeNext, sessionOf, setSessionCookie } from './session.js';

const NOTICES: Record<string, Notice> = {
  'signed-out': { tone: 'ok', text: 'You are signed out.' },
  'session-ended': { tone: 'warning', text: 'Your session ended (the token was revoked or the ledger restarted). Sign in again.' },
};

function SignInPage(p: { next: string; notice?: Notice | undefined; signedInAs?: string | undefined }) {
  return (
    <Layout title="Sign in" notice={p.notice}>
      <h1>Sign in</h1>
      {p.signedInAs ? (
        <p>
          You are already signed in as {p.signedInAs}. <a href="/">Go to Verify</a>, or sign in with another token below.
        </p>
      ) : null}
      <form method="post" action="/sign-in" class="card narrow">
        <input type="hidden" name="next" value={p.next} />
        <label for="token">Access token</label>
        <input id="token" name="token" type="password" required autocomplete="off" autofocus aria-describedby="token-help" />
        <p id="token-help" class="help">
          Your ledger administrator gives each pharmacy, distributor, manufacturer and regulator a token. It is kept on the
          server for this browser session only: never in the address bar, never stored in the browser.
        </p>
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

export function signInPages(ctx: PageContext, registry: RegistryStore) {
  const app = newPageApp(ctx);

  app.get('/sign-in', async (c) => {
    const session = sessionOf(c, ctx.sessions);
    const notice = NOTICES[c.req.query('notice') ?? ''];
    const who = session ? (session.partyName ?? session.caller.role) : undefined;
    return render(c, SignInPage({ next: safeNext(c.req.query('next')), notice, signedInAs: who }));
  });

  app.post('/sign-in', async (c: Context) => {
    // Login CSRF: a form from another site would sign this browser in with someone else's token. 400, not 403: the
    // request is refused for what it lacks (our Origin), not for who sent it.
    if (!isSameOrigin(c)) return render(c, SignInPage({ next: '/', notice: { tone: 'danger', text: 'This form must be sent from the Pedigree page itself.' } }), 400);
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    const caller = token === '' ? undefined : await authenticateToken(registry, token);
    if (!caller) {
      return render(c, SignInPage({ next, notice: { tone: 'danger', text: 'That token is not valid or has been revoked. Check it and try again.' } }));
    }
    const old = sessionOf(c, ctx.sessions);
    if (old) ctx.sessions.close(old.id);
    const partyName = caller.party !== null ? ((await registry.findParty(caller.party))?.name ?? null) : null;
    setSessionCookie(c, ctx.sessions.open(token, caller, partyName));
    return c.redirect(next, 303);
  });

  app.post('/sign-out', async (c) => {
    if (!isSameOrigin(c)) return c.redirect('/', 303);
    const session = sessionOf(c, ctx.sessions);
    if (session) ctx.sessions.close(session.id);
    clearSessionCookie(c);
    return c.redirect('/sign-in?notice=signed-out', 303);
  });
  return app;
}
