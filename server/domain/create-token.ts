// Issues a bearer token bound to a party and role (DESIGN.md §9); only its SHA-256 is stored.
import { hash, randomBytes } from 'node:crypto';
import type { PartyRole, RegistryStore, TokenRecord } from './ports.js';
import { requireRole } from './create-party.js';
import { requireGln } from './identifiers.js';
import { PedigreeError } from './pedigree-error.js';

export function hashToken(token: string): string {
  // One call, no Hash object: it runs on every authenticated request.
  return hash('sha256', token, 'hex');
}

export function generateToken(role: PartyRole): string {
  return `pdg_${role}_${randomBytes(24).toString('base64url')}`;
}

export async function createToken(
  registry: RegistryStore,
  input: { readonly party?: unknown; readonly role: unknown },
): Promise<{ token: string; id: number; party: string | null; role: PartyRole }> {
  if (input.role === 'admin') {
    const token = generateToken('admin');
    const id = await registry.insertToken({ tokenHash: hashToken(token), party: null, role: 'admin' });
    return { token, id, party: null, role: 'admin' };
  }
  const role = requireRole(input.role);
  const party = requireGln(input.party, 'party');
  const found = await registry.findParty(party);
  if (!found) throw new PedigreeError('PARTY_NOT_FOUND', `party ${party} is not registered`);
  if (found.role !== role) {
    throw new PedigreeError('VALIDATION_FAILED', `party ${party} is a ${found.role}; a token for it must have that role`);
  }
  const token = generateToken(role);
  const id = await registry.insertToken({ tokenHash: hashToken(token), party, role });
  return { token, id, party, role };
}

/** The token's record when it is known and not revoked. The token is attacker-controlled. */
export async function authenticateToken(registry: RegistryStore, token: string): Promise<TokenRecord | undefined> {
  if (token.length < 16 || token.length > 200) return undefined;
  const found = await registry.findToken(hashToken(token));
  return found && !found.revoked ? found : undefined;
}
