// An Ed25519 public key given as base64url (or padded base64) of its 32 raw bytes.
import { PedigreeError } from './pedigree-error.js';

export function requirePublicKey(value: unknown, field = 'publicKey'): Uint8Array {
  if (typeof value === 'string' && /^[A-Za-z0-9_\-+/]{43}=?$/.test(value)) {
    const bytes = new Uint8Array(Buffer.from(value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, ''), 'base64url'));
    if (bytes.length === 32) return bytes;
  }
  throw new PedigreeError('INVALID_PUBLIC_KEY', `${field} must be a raw 32-byte Ed25519 public key in base64url`);
}
