// The caller's access scope (visibility-policy.ts), with its party's locations and company prefixes read once.
import type { AccessScope, AccessStore, TokenRecord } from './ports.js';
import { accessScopeOf, seesEverything } from './visibility-policy.js';

export async function resolveAccessScope(access: AccessStore, caller: TokenRecord): Promise<AccessScope> {
  if (seesEverything(caller) || caller.party === null) return accessScopeOf(caller, { locations: [], companyPrefixes: [] });
  const [locations, companyPrefixes] = await Promise.all([
    access.locationsOf(caller.party),
    caller.role === 'manufacturer' ? access.companyPrefixes(caller.party) : Promise.resolve([]),
  ]);
  return accessScopeOf(caller, { locations, companyPrefixes });
}
