// Revokes a bearer token (DESIGN.md §9): it stops authenticating at once, since every request looks its hash up.
import type { AccessStore, RegistryStore, TokenRecord } from './ports.js';
import { PedigreeError } from './pedigree-error.js';

export async function revokeToken(registry: RegistryStore, access: AccessStore, id: number): Promise<TokenRecord> {
  const token = await access.findTokenById(id);
  if (!token) throw new PedigreeError('TOKEN_NOT_FOUND', `no token ${id}`);
  if (token.revoked) throw new PedigreeError('TOKEN_ALREADY_REVOKED', `token ${id} is already revoked`);
  // Revoking the last admin token would lock every admin out (bootstrap does not re-issue a revoked configured token).
  if (token.role === 'admin' && (await registry.countTokens('admin')) <= 1) {
    throw new PedigreeError('LAST_ADMIN_TOKEN', 'this is the last active admin token: create another admin token first');
  }
  if (!(await registry.revokeToken(id))) throw new PedigreeError('TOKEN_NOT_FOUND', `no token ${id}`);
  return { ...token, revoked: true };
}
