// Object-level visibility for the custody read routes (visibility-policy.ts), as middleware in front of them: a unit
// or container its party has held or owns, verification of its own GTINs for a manufacturer, alerts of its own sites
// or GTINs. Malformed identifiers pass through: the route answers them (400). No token passes through: the route's
// role check answers it (401).
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { AccessScope, AccessStore, CustodyStore, TokenRecord } from '../domain/ports.js';
import { checkIdentifierAccess } from '../domain/check-identifier-access.js';
import { resolveAccessScope } from '../domain/resolve-access-scope.js';
import { readScan, readSsccKey } from '../domain/unit-key.js';
import { canListAlerts, canSeeAlert, canVerify } from '../domain/visibility-policy.js';
import type { AuthVariables } from './auth.js';
import { problem } from './problem.js';
import { unitKeyParam } from './unit-key-param.js';

type Env = { Variables: AuthVariables };
type Check = (c: Context<Env>, caller: TokenRecord, scope: AccessScope) => Promise<string | undefined>;

export interface VisibilityGuardOptions {
  readonly access: AccessStore;
  readonly custody?: Pick<CustodyStore, 'findAlert'>;
}

/** Runs `check` for a party caller; a returned string is the reason for a 403. */
function guard(o: VisibilityGuardOptions, check: Check): MiddlewareHandler<Env> {
  return async (c: Context<Env>, next: Next) => {
    const caller = c.get('caller');
    if (!caller || caller.role === 'admin' || caller.role === 'regulator') return next();
    const refusal = await check(c, caller, await resolveAccessScope(o.access, caller));
    if (refusal !== undefined) return problem(c, 403, 'FORBIDDEN', refusal);
    return next();
  };
}

export function visibilityGuards(o: VisibilityGuardOptions) {
  const identifier = (epc: string | undefined, scope: AccessScope) =>
    epc === undefined ? Promise.resolve(undefined) : checkIdentifierAccess(o.access, scope, epc).then((ok) => (ok ? undefined : `your party has not held ${epc} and does not own its GS1 key`));
  const verify = (gtin: string | undefined, caller: TokenRecord, scope: AccessScope) =>
    gtin === undefined || canVerify(caller, scope, gtin) ? undefined : 'a manufacturer verifies only packs of its own GTINs (its registered company prefixes)';
  return {
    unit: guard(o, async (c, _caller, scope) => {
      const key = unitKeyParam(c);
      return identifier(key.ok ? key.value.epc : undefined, scope);
    }),
    container: guard(o, async (c, _caller, scope) => {
      const key = readSsccKey(c.req.param('sscc') ?? '');
      return identifier(key.ok ? key.value.epc : undefined, scope);
    }),
    verifyUnit: guard(o, async (c, caller, scope) => {
      const key = unitKeyParam(c);
      return verify(key.ok ? key.value.gtin : undefined, caller, scope);
    }),
    verifyScan: guard(o, async (c, caller, scope) => {
      const scan = c.req.query('scan');
      const parsed = scan === undefined ? undefined : readScan(scan);
      return verify(parsed?.ok ? parsed.value.gtin : undefined, caller, scope);
    }),
    alertList: guard(o, async (c, _caller, scope) =>
      canListAlerts(scope, { site: c.req.query('site'), gtin: c.req.query('gtin') })
        ? undefined
        : `list the alerts of your own site (?site=${scope.kind === 'party' ? scope.party : ''})${scope.kind === 'party' && scope.companyPrefixes.length > 0 ? ' or of one of your GTINs (?gtin=…)' : ''}`,
    ),
    alert: guard(o, async (c, _caller, scope) => {
      const id = c.req.param('id');
      if (!o.custody || id === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(id)) return undefined;
      const alert = await o.custody.findAlert(Number(id));
      return alert === undefined || canSeeAlert(scope, alert) ? undefined : 'this alert concerns neither your sites nor your GTINs';
    }),
  };
}
