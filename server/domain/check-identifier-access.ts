// May this caller read this unit or container (GET /v1/units, /v1/containers)? Held by its party, owned, or all-seeing.
import type { AccessScope, AccessStore } from './ports.js';
import { canSeeIdentifier, ownsIdentifier } from './visibility-policy.js';

export async function checkIdentifierAccess(access: AccessStore, scope: AccessScope, epc: string): Promise<boolean> {
  if (scope.kind === 'everything' || ownsIdentifier(scope, epc)) return true;
  if (scope.party === '') return false;
  return canSeeIdentifier(scope, epc, await access.hasHeld(scope.party, epc));
}
