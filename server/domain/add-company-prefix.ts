// Registers a GS1 Company Prefix to a manufacturer: the GTINs under it are its own, whose whole pedigree it sees
// (visibility-policy.ts). GS1 licenses each prefix to one company, so prefixes of two parties never overlap.
import type { AccessStore, RegistryStore } from './ports.js';
import { requireGln } from './identifiers.js';
import { PedigreeError } from './pedigree-error.js';
import { COMPANY_PREFIX_PATTERN } from './visibility-policy.js';

export async function addCompanyPrefix(
  registry: RegistryStore,
  access: AccessStore,
  input: { readonly party: unknown; readonly prefix: unknown },
): Promise<{ party: string; prefix: string; created: boolean }> {
  const party = requireGln(input.party, 'party');
  if (typeof input.prefix !== 'string' || !COMPANY_PREFIX_PATTERN.test(input.prefix)) {
    throw new PedigreeError('INVALID_COMPANY_PREFIX', 'prefix must be a GS1 Company Prefix: 4 to 12 digits');
  }
  const prefix = input.prefix;
  const found = await registry.findParty(party);
  if (!found) throw new PedigreeError('PARTY_NOT_FOUND', `party ${party} is not registered`);
  if (found.role !== 'manufacturer') {
    throw new PedigreeError('VALIDATION_FAILED', `party ${party} is a ${found.role}: company prefixes are registered to manufacturers`);
  }
  const overlap = await access.overlappingPrefix(prefix);
  if (overlap && overlap.party !== party) {
    throw new PedigreeError('PREFIX_TAKEN', `prefix ${prefix} overlaps ${overlap.prefix}, registered to party ${overlap.party}`);
  }
  const created = await access.addCompanyPrefix(party, prefix);
  return { party, prefix, created };
}
