// Server-side envelope verification, native: libsodium (sodium-native) where its prebuilt addon loads, else
// node:crypto (OpenSSL). Measured here (Node 20, one core): noble ≈ 800/s, OpenSSL ≈ 9,200/s, libsodium ≈ 19,700/s
// (OpenSSL 3.0 does Ed25519 in 10×25.5-bit limbs; libsodium in 5×51-bit ones with 128-bit products).
// NODE ONLY: imports node:crypto. Browser and gateway code use verifyEnvelopeNoble (envelope.ts); index.ts does
// not re-export this file, so a browser bundle never pulls it in.
//
// OpenSSL's Ed25519 is not "strict" on its own. Measured against the ed25519-speccheck vectors
// (test/vectors/signing/ed25519-speccheck.json; OpenSSL 3.0 in Node 20, noble 2.4), raw crypto.verify and raw
// noble ed25519.verify(…, {zip215: false}) disagree on five of the twelve cases:
//   - cases 0, 1 (small-order public key A): OpenSSL accepts, noble refuses;
//   - case 11 (non-canonical A: x = 0 with the sign bit set): OpenSSL accepts, noble refuses;
//   - cases 4, 5 (mixed-order A, signatures valid only under the cofactored equation): noble accepts, OpenSSL
//     refuses (OpenSSL checks [S]B = R + [k]A without the cofactor, by comparing R's encoding).
// Both accept cases 2, 3 (mixed-order A) and both refuse 6, 7 (S ≥ L) and 8, 9, 10 (non-canonical R or A).
// Both of our verifiers therefore refuse any key that is non-canonical, of small order or outside the
// prime-order subgroup (isStrictEd25519PublicKey, checked once per key), and this one checks S < L itself
// before calling OpenSSL. With that, all twelve cases are refused by both. What remains, by construction: with a
// strict key, a signature whose R carries a small-order component passes noble (cofactored) and fails OpenSSL
// (cofactorless). Only the key's holder can make one, and the server, which decides, is the stricter.
// libsodium (1.0.18+) checks as OpenSSL does (cofactorless, R's encoding compared) and also refuses a small-order
// R outright, so behind the same key and S checks it refuses all twelve cases too and accepts nothing OpenSSL
// refuses (test/schemas/signing/ed25519.test.ts runs every case through both backends).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { err, ok, type Result } from '../result.js';
import { ED25519_SIGNATURE_SIZE, isStrictEd25519PublicKey } from './ed25519.js';
import { decodeBase64url, encodeBase64url } from './encoding.js';
import { envelopeSigningBytes, type SignedEnvelope } from './envelope.js';

/** The one libsodium call we make (sodium-native; it throws on wrong sizes, which we check first). */
interface Sodium {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export type Ed25519Backend = 'libsodium' | 'node:crypto';

let sodium: Sodium | null | undefined; // undefined: not tried yet (the gateway imports this file and never loads it)

/**
 * libsodium, loaded on first use, unless PEDIGREE_ED25519=node:crypto or its prebuilt addon does not load on this
 * platform (then null: node:crypto, at half the speed, with the same answers).
 */
function loadedSodium(): Sodium | null {
  if (sodium !== undefined) return sodium;
  sodium = null;
  if (process.env.PEDIGREE_ED25519 !== 'node:crypto') {
    try {
      sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
    } catch {
      // stays null
    }
  }
  return sodium;
}

/** Which native Ed25519 verifier verifyEd25519Node uses in this process. */
export function ed25519Backend(): Ed25519Backend {
  return loadedSodium() ? 'libsodium' : 'node:crypto';
}

/** The backends this process can use (tests run the edge cases through each). */
export function ed25519Backends(): readonly Ed25519Backend[] {
  return loadedSodium() ? ['libsodium', 'node:crypto'] : ['node:crypto'];
}

/** KeyObjects whose key material we have checked with isStrictEd25519PublicKey, with that raw key (libsodium's input). */
const strictKeyObjects = new WeakMap<KeyObject, Uint8Array>();

/** L, the order of the Ed25519 base point, little-endian (RFC 8032 §5.1). */
const GROUP_ORDER_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

/** True when the S half of a 64-byte signature is a canonical scalar, S < L (RFC 8032 §5.1.7 step 1). */
export function hasCanonicalScalar(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i]!;
    const l = GROUP_ORDER_LE[i]!;
    if (s !== l) return s < l;
  }
  return false; // S = L
}

/**
 * Imports a raw 32-byte Ed25519 public key as a node:crypto KeyObject (via JWK {kty: OKP, crv: Ed25519}).
 * Refuses keys that are not strict (see ed25519.ts). Attacker-controlled input: never throws.
 */
export function importEd25519PublicKey(publicKey: Uint8Array): Result<KeyObject, 'KEY_INVALID'> {
  if (!isStrictEd25519PublicKey(publicKey)) {
    return err('KEY_INVALID', 'public key is not a canonical prime-order Ed25519 point');
  }
  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(publicKey) },
      format: 'jwk',
    });
    strictKeyObjects.set(key, publicKey.slice());
    return ok(key);
  } catch {
    return err('KEY_INVALID', 'node:crypto refused the public key');
  }
}

/**
 * The raw key of an Ed25519 public KeyObject with strict key material (checked once, then remembered); undefined
 * for any other KeyObject.
 */
function strictRawKey(key: KeyObject): Uint8Array | undefined {
  const known = strictKeyObjects.get(key);
  if (known !== undefined) return known;
  try {
    if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') return undefined;
    const jwk = key.export({ format: 'jwk' });
    const raw = decodeBase64url(jwk.x);
    if (raw === undefined || !isStrictEd25519PublicKey(raw)) return undefined;
    strictKeyObjects.set(key, raw);
    return raw;
  } catch {
    return undefined;
  }
}

export interface Ed25519KeyCacheOptions {
  /** Most KeyObjects kept; the least recently used is dropped beyond it. Default 10,000 (a few MB). */
  readonly maxEntries?: number;
}

/**
 * KeyObjects by raw public key (base64url), least recently used dropped first: the server imports each
 * device's key once instead of per envelope. Only strict keys are cached.
 */
export class Ed25519KeyCache {
  readonly #maxEntries: number;
  readonly #keys = new Map<string, KeyObject>();

  constructor(options: Ed25519KeyCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('Ed25519KeyCache maxEntries must be a positive integer');
    }
    this.#maxEntries = maxEntries;
  }

  /** The KeyObject for a raw 32-byte public key, imported on first use. Never throws. */
  get(publicKey: Uint8Array): Result<KeyObject, 'KEY_INVALID'> {
    if (!(publicKey instanceof Uint8Array)) return err('KEY_INVALID', 'public key must be bytes');
    const id = encodeBase64url(publicKey);
    const cached = this.#keys.get(id);
    if (cached !== undefined) {
      this.#keys.delete(id); // re-insert: Map order is recency order
      this.#keys.set(id, cached);
      return ok(cached);
    }
    const imported = importEd25519PublicKey(publicKey);
    if (!imported.ok) return imported;
    if (this.#keys.size >= this.#maxEntries) {
      const oldest = this.#keys.keys().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
    this.#keys.set(id, imported.value);
    return imported;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Forget every key (e.g. after a bulk key rotation). */
  clear(): void {
    this.#keys.clear();
  }
}

/**
 * Strict Ed25519 verification, native: libsodium or node:crypto (ed25519Backend; `backend` picks one). Accepts
 * exactly what checkEd25519 (noble) accepts for strict keys, except signatures with a small-order component in R
 * (see the file comment). Never throws.
 */
export function verifyEd25519Node(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array | KeyObject,
  backend?: Ed25519Backend,
): Result<true, 'SIGNATURE_INVALID' | 'KEY_INVALID'> {
  let key: KeyObject;
  if (publicKey instanceof Uint8Array) {
    const imported = importEd25519PublicKey(publicKey);
    if (!imported.ok) return imported;
    key = imported.value;
  } else {
    key = publicKey;
  }
  const raw = strictRawKey(key);
  if (raw === undefined) return err('KEY_INVALID', 'not a strict Ed25519 public KeyObject');
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_SIZE) {
    return err('SIGNATURE_INVALID', 'signature must be 64 bytes');
  }
  if (!(message instanceof Uint8Array)) return err('SIGNATURE_INVALID', 'message must be bytes');
  // OpenSSL checks S < L itself (speccheck cases 6, 7); checked again here so strictness does not rest on it.
  if (!hasCanonicalScalar(signature)) return err('SIGNATURE_INVALID', 'signature scalar S is not below L');
  try {
    const lib = backend === 'node:crypto' ? null : loadedSodium();
    const valid = lib ? lib.crypto_sign_verify_detached(signature, message, raw) : verify(null, message, key, signature);
    return valid ? ok(true) : err('SIGNATURE_INVALID', 'signature does not verify');
  } catch {
    return err('SIGNATURE_INVALID', 'signature could not be checked');
  }
}

/**
 * Verifies an envelope's signature (server, node:crypto). `publicKey` is the device's raw 32-byte key or a
 * KeyObject, best taken from an Ed25519KeyCache. Never throws.
 */
export function verifyEnvelope(
  envelope: SignedEnvelope,
  publicKey: Uint8Array | KeyObject,
): Result<true, 'SIGNATURE_INVALID' | 'KEY_INVALID'> {
  let bytes: Uint8Array;
  let signature: Uint8Array | undefined;
  try {
    signature = decodeBase64url(envelope.sig);
    bytes = envelopeSigningBytes(envelope);
  } catch {
    return err('SIGNATURE_INVALID', 'envelope is not canonicalisable JSON (RFC 8785)');
  }
  if (signature === undefined || signature.length !== ED25519_SIGNATURE_SIZE) {
    return err('SIGNATURE_INVALID', 'sig is not unpadded base64url of 64 bytes');
  }
  const result = verifyEd25519Node(signature, bytes, publicKey);
  if (!result.ok && result.code === 'SIGNATURE_INVALID') {
    return err('SIGNATURE_INVALID', 'envelope signature does not verify');
  }
  return result;
}
