// Makes sure an admin can sign in: the configured admin token, or one generated on first start and shown once.
import type { RegistryStore } from './ports.js';
import { generateToken, hashToken } from './create-token.js';

export async function bootstrapAdmin(
  registry: RegistryStore,
  configuredToken: string | undefined,
): Promise<{ token: string | undefined; generated: boolean }> {
  if (configuredToken !== undefined) {
    const existing = await registry.findToken(hashToken(configuredToken));
    if (!existing) await registry.insertToken({ tokenHash: hashToken(configuredToken), party: null, role: 'admin' });
    return { token: configuredToken, generated: false };
  }
  if ((await registry.countTokens('admin')) > 0) return { token: undefined, generated: false };
  const token = generateToken('admin');
  await registry.insertToken({ tokenHash: hashToken(token), party: null, role: 'admin' });
  return { token, generated: true };
}
