// Records every request made with a regulator token, after it is answered and before the answer leaves (DESIGN.md §9:
// every regulator query is itself logged). If the record cannot be written, the answer is withheld (fail closed).
import type { MiddlewareHandler } from 'hono';
import type { AccessStore } from '../domain/ports.js';
import { recordRegulatorQuery } from '../domain/record-regulator-query.js';
import type { AuthVariables } from './auth.js';
import { problem } from './problem.js';

export function recordRegulatorQueries(o: { access: AccessStore; onError?: (e: unknown) => void }): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    await next();
    const caller = c.get('caller');
    if (caller?.role !== 'regulator') return;
    const url = new URL(c.req.url);
    try {
      await recordRegulatorQuery(o.access, caller, { method: c.req.method, target: `${url.pathname}${url.search}`, status: c.res.status });
    } catch (e) {
      o.onError?.(e);
      c.res = problem(c, 503, 'UNAVAILABLE', 'the request could not be recorded in the regulator query log, so it is not answered; retry');
    }
  };
}
