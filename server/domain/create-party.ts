// Registers a trading party (DESIGN.md §9): its GLN, name and role.
import { PARTY_ROLES, type PartyRecord, type PartyRole, type RegistryStore } from './ports.js';
import { requireGln } from './identifiers.js';
import { PedigreeError } from './pedigree-error.js';

export interface CreatePartyInput {
  readonly gln: unknown;
  readonly name: unknown;
  readonly role: unknown;
}

export function requireRole(role: unknown): PartyRole {
  if (typeof role !== 'string' || !(PARTY_ROLES as readonly string[]).includes(role)) {
    throw new PedigreeError('INVALID_ROLE', `role must be one of ${PARTY_ROLES.join(', ')}`);
  }
  return role as PartyRole;
}

export async function createParty(registry: RegistryStore, input: CreatePartyInput): Promise<PartyRecord> {
  const gln = requireGln(input.gln);
  if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 200) {
    throw new PedigreeError('VALIDATION_FAILED', 'name must be a non-empty string of at most 200 characters');
  }
  const party: PartyRecord = { gln, name: input.name.trim(), role: requireRole(input.role) };
  if (!(await registry.insertParty(party))) throw new PedigreeError('PARTY_EXISTS', `party ${gln} is already registered`);
  return party;
}
