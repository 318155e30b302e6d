// Page sessions: the bearer token a person signed in with, kept server-side and named by a random id in an HttpOnly,
// SameSite=Strict cookie, so it is never in a URL, in page script or in localStorage. In memory: a restart signs
// everyone out, which is the safe direction.
import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { TokenRecord } from '../../domain/ports.js';

export const SESSION_COOKIE = 'pedigree_session';

export interface Session {
  readonly id: string;
  readonly token: string;
  readonly caller: TokenRecord;
  /** The party's registered name, for the page header. */
  readonly partyName: string | null;
  readonly createdAt: number;
  seenAt: number;
}

export interface SessionStoreOptions {
  /** Idle time after which a session ends. Default 8 hours (a working shift). */
  readonly idleMs?: number;
  /** Most live sessions; the least recently used ends first. Default 10 000. */
  readonly maxSessions?: number;
  readonly now?: () => number;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(o: SessionStoreOptions = {}) {
    this.#idleMs = o.idleMs ?? 8 * 3600_000;
    this.#max = o.maxSessions ?? 10_000;
    this.#now = o.now ?? Date.now;
  }

  open(token: string, caller: TokenRecord, partyName: string | null): Session {
    while (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const now = this.#now();
    const s: Session = { id: randomBytes(32).toString('base64url'), token, caller, partyName, createdAt: now, seenAt: now };
    this.#sessions.set(s.id, s);
    return s;
  }

  /** The live session named by `id` (attacker-controlled), refreshed; undefined when unknown or idle too long. */
  find(id: string | undefined): Session | undefined {
    if (id === undefined || id.length !== 43) return undefined;
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    const now = this.#now();
    if (now - s.seenAt > this.#idleMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    s.seenAt = now;
    // Re-insert: Map order is then least recently used first, for eviction.
    this.#sessions.delete(id);
    this.#sessions.set(id, s);
    return s;
  }

  close(id: string): void {
    this.#sessions.delete(id);
  }
}

export type PageEnv = { Variables: { session: Session } };

const secure = (c: Context) => new URL(c.req.url).protocol === 'https:';

export function setSessionCookie(c: Context, s: Session): void {
  setCookie(c, SESSION_COOKIE, s.id, { httpOnly: true, sameSite: 'Strict', path: '/', secure: secure(c) });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c) });
}

export function sessionOf(c: Context, store: SessionStore): Session | undefined {
  return store.find(getCookie(c, SESSION_COOKIE));
}

/** Pages need a session: without one, the sign-in page, coming back here afterwards. */
export function requireSession(store: SessionStore): MiddlewareHandler<PageEnv> {
  return async (c, next) => {
    const s = sessionOf(c, store);
    if (!s) {
      // A live region's background request is told, not redirected into a sign-in page it would insert.
      if (c.req.header('X-Pedigree-Live') === '1') return c.body(null, 204, { 'X-Pedigree-Session': 'ended' });
      const url = new URL(c.req.url);
      const back = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/';
      return c.redirect(`/sign-in?next=${encodeURIComponent(back)}`, 303);
    }
    c.set('session', s);
    return next();
  };
}

/**
 * Forms that change state must come from our own pages (CSRF): the SameSite=Strict cookie already stays home, and the
 * browser's Origin (or Sec-Fetch-Site) must name this site too. A request that says neither is refused.
 */
export function isSameOrigin(c: Context): boolean {
  const origin = c.req.header('Origin');
  // Hosts, not origins: behind a TLS-terminating proxy the request URL says http while the browser says https.
  if (origin !== undefined && origin !== 'null') {
    try {
      return new URL(origin).host === new URL(c.req.url).host;
    } catch {
      return false;
    }
  }
  return c.req.header('Sec-Fetch-Site') === 'same-origin';
}

/** A redirect target from a query (attacker-controlled): only a path on this site. */
export function safeNext(next: string | undefined): string {
  if (next === undefined || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\r\n]/.test(next)) return '/';
  return next;
}
