// The ledger's Ed25519 secret key on disk: created on first start (mode 0600), read on every later one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeSecretKey, encodeSecretKey, generateKeyPair } from '../../schemas/signing/keys.js';

export interface LedgerKeyFile {
  readonly secretKey: Uint8Array;
  readonly created: boolean;
  readonly path: string;
}

export function loadOrCreateLedgerKey(path: string): LedgerKeyFile {
  if (existsSync(path)) {
    const decoded = decodeSecretKey(readFileSync(path, 'utf8').trim());
    if (!decoded.ok) throw new Error(`${path} does not hold a base64url Ed25519 secret key (${decoded.message}); restore it from backup`);
    return { secretKey: decoded.value, created: false, path };
  }
  mkdirSync(dirname(path), { recursive: true });
  const { secretKey } = generateKeyPair();
  // 'wx' refuses to overwrite a key another process created meanwhile.
  writeFileSync(path, `${encodeSecretKey(secretKey)}\n`, { mode: 0o600, flag: 'wx' });
  return { secretKey, created: true, path };
}
