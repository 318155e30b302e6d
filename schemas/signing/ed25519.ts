// Ed25519 (RFC 8032) signing and strict verification with @noble/curves: browser-, gateway- and server-safe.
//
// "Strict" here is the rule both our verifiers (this one and node:crypto in verify-envelope.ts) enforce, so a
// gateway, a browser and the ledger accept exactly the same signatures from honestly generated keys:
//   - signature: R a canonical point encoding (y < p), S < L (RFC 8032 §5.1.7 step 1);
//   - public key A: canonical encoding, not of small order, and in the prime-order subgroup (torsion-free).
// RFC 8032 itself accepts any decodable A; we refuse the rest because a small-order or mixed-order key lets its
// holder make signatures that one verifier accepts and another refuses (ed25519-speccheck cases 0–5, 10, 11;
// see test/vectors/signing/README.md). Every key made by keygen is torsion-free, so honest devices never notice.
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeHex } from './encoding.js';

export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SECRET_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

/** Keys already found strict. Bounded: a verifier sees a few thousand devices, an attacker cannot grow it. */
const strictKeys = new Map<string, true>();
const STRICT_KEY_CACHE_SIZE = 4096;

function checkStrictPublicKey(publicKey: Uint8Array): boolean {
  try {
    const point = ed25519.Point.fromBytes(publicKey, false); // zip215=false: y < p, no "negative zero" x
    return !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    return false;
  }
}

/**
 * True when `publicKey` is 32 bytes that encode, canonically, a point of the prime-order subgroup other than
 * the identity. Attacker-controlled input: never throws. About one scalar multiplication, memoised per key.
 */
export function isStrictEd25519PublicKey(publicKey: unknown): publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_SIZE) return false;
  const id = encodeHex(publicKey);
  if (strictKeys.has(id)) return true;
  if (!checkStrictPublicKey(publicKey)) return false;
  if (strictKeys.size >= STRICT_KEY_CACHE_SIZE) {
    const oldest = strictKeys.keys().next().value;
    if (oldest !== undefined) strictKeys.delete(oldest);
  }
  strictKeys.set(id, true);
  return true;
}

/** Ed25519 signature of `message`. Throws on a secret key that is not 32 bytes (a programming error). */
export function signEd25519(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== ED25519_SECRET_KEY_SIZE) {
    throw new TypeError(`Ed25519 secret key must be ${ED25519_SECRET_KEY_SIZE} bytes`);
  }
  return ed25519.sign(message, secretKey);
}

/** Ed25519 public key (32 bytes) of a 32-byte secret key (RFC 8032 §5.1.5). */
export function deriveEd25519PublicKey(secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== ED25519_SECRET_KEY_SIZE) {
    throw new TypeError(`Ed25519 secret key must be ${ED25519_SECRET_KEY_SIZE} bytes`);
  }
  return ed25519.getPublicKey(secretKey);
}

/** Why a strict verification failed: the key itself, or the signature over this message. */
export type Ed25519Failure = 'KEY_INVALID' | 'SIGNATURE_INVALID';

/**
 * Strict Ed25519 verification (see the file comment); undefined when the signature is valid, else why not.
 * Attacker-controlled input (signature, message, even the key): never throws.
 */
export function checkEd25519(signature: unknown, message: Uint8Array, publicKey: unknown): Ed25519Failure | undefined {
  if (!isStrictEd25519PublicKey(publicKey)) return 'KEY_INVALID';
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_SIZE) return 'SIGNATURE_INVALID';
  try {
    // zip215: false is RFC 8032 / FIPS 186-5 decoding (canonical R and A, S < L); noble also refuses small-order A.
    return ed25519.verify(signature, message, publicKey, { zip215: false }) ? undefined : 'SIGNATURE_INVALID';
  } catch {
    return 'SIGNATURE_INVALID';
  }
}

/** Strict Ed25519 verification as a boolean (see checkEd25519). Never throws. */
export function verifyEd25519(signature: unknown, message: Uint8Array, publicKey: unknown): boolean {
  return checkEd25519(signature, message, publicKey) === undefined;
}
