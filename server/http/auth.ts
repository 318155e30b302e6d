// Bearer-token authentication middleware: resolves the caller's party and role (DESIGN.md §9).
import type { MiddlewareHandler } from 'hono';
import type { PartyRole, RegistryStore, TokenRecord } from '../domain/ports.js';
import { authenticateToken } from '../domain/create-token.js';
import { problem } from './problem.js';

export interface AuthVariables {
  caller: TokenRecord | undefined;
}

/** Sets `caller` when a valid bearer token is presented; a present but unknown token is a 401. */
export function bearerAuth(registry: RegistryStore): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('Authorization');
    if (header === undefined) {
      c.set('caller', undefined);
      return next();
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const caller = m ? await authenticateToken(registry, m[1]!) : undefined;
    if (!caller) return problem(c, 401, 'UNAUTHENTICATED', 'the bearer token is unknown or revoked; ask an admin for a token');
    c.set('caller', caller);
    return next();
  };
}

/** Only callers with one of `roles` (admins always) pass. */
export function requireRole(...roles: PartyRole[]): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const caller = c.get('caller');
    if (!caller) return problem(c, 401, 'UNAUTHENTICATED', 'send Authorization: Bearer <token>');
    if (caller.role !== 'admin' && !roles.includes(caller.role)) {
      return problem(c, 403, 'FORBIDDEN', `this route needs one of the roles: admin${roles.length ? ', ' + roles.join(', ') : ''}`);
    }
    return next();
  };
}
