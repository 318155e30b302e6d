// Registers a location (an SGLN) owned by a party.
import type { LocationRecord, RegistryStore } from './ports.js';
import { requireGln, requireSgln } from './identifiers.js';
import { PedigreeError } from './pedigree-error.js';

export async function createLocation(
  registry: RegistryStore,
  input: { readonly sgln: unknown; readonly party: unknown; readonly name: unknown },
): Promise<LocationRecord> {
  const { sgln } = requireSgln(input.sgln);
  const party = requireGln(input.party, 'party');
  if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 200) {
    throw new PedigreeError('VALIDATION_FAILED', 'name must be a non-empty string of at most 200 characters');
  }
  if (!(await registry.findParty(party))) {
    throw new PedigreeError('PARTY_NOT_FOUND', `party ${party} is not registered; create it first (POST /v1/parties)`);
  }
  const location: LocationRecord = { sgln, party, name: input.name.trim() };
  if (!(await registry.insertLocation(location))) throw new PedigreeError('LOCATION_EXISTS', `location ${sgln} already exists`);
  return location;
}
