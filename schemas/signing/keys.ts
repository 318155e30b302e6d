// Ed25519 key pairs for devices and the ledger: generation, raw base64url encoding, fingerprints for display.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { err, ok, type Result } from '../result.js';
import { decodeBase64url, encodeBase64url, encodeHex } from './encoding.js';
import { deriveEd25519PublicKey, ED25519_SECRET_KEY_SIZE, isStrictEd25519PublicKey } from './ed25519.js';

/** A raw Ed25519 key pair: the 32-byte RFC 8032 secret seed and the 32-byte public key. */
export interface Ed25519KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A fresh key pair from the platform CSPRNG (crypto.getRandomValues, in Node and browsers alike). */
export function generateKeyPair(): Ed25519KeyPair {
  const secretKey = ed25519.utils.randomSecretKey();
  return { secretKey, publicKey: deriveEd25519PublicKey(secretKey) };
}

/** The public key of a 32-byte secret key. Throws on any other length (a programming error). */
export function derivePublicKey(secretKey: Uint8Array): Uint8Array {
  return deriveEd25519PublicKey(secretKey);
}

/** Raw public key as unpadded base64url: the form of `publicKey` in the device API (DESIGN.md §§5, 9). */
export function encodePublicKey(publicKey: Uint8Array): string {
  return encodeBase64url(publicKey);
}

/**
 * Parses a base64url raw public key (attacker-controlled, e.g. `POST /v1/devices`). Refuses anything but the
 * canonical encoding of 32 bytes that are a strict Ed25519 key (see ed25519.ts), so a registered key can
 * never verify differently in the browser and on the server.
 */
export function decodePublicKey(text: unknown): Result<Uint8Array, 'KEY_INVALID'> {
  const bytes = decodeBase64url(text);
  if (bytes === undefined) return err('KEY_INVALID', 'public key is not canonical unpadded base64url');
  if (bytes.length !== 32) return err('KEY_INVALID', `public key must be 32 bytes, got ${bytes.length}`);
  if (!isStrictEd25519PublicKey(bytes)) {
    return err('KEY_INVALID', 'public key is not a canonical prime-order Ed25519 point; generate a new key');
  }
  return ok(bytes);
}

/** Raw secret key as unpadded base64url (for a gateway's key file). */
export function encodeSecretKey(secretKey: Uint8Array): string {
  return encodeBase64url(secretKey);
}

/** Parses a base64url raw 32-byte secret key. */
export function decodeSecretKey(text: unknown): Result<Uint8Array, 'KEY_INVALID'> {
  const bytes = decodeBase64url(text);
  if (bytes === undefined) return err('KEY_INVALID', 'secret key is not canonical unpadded base64url');
  if (bytes.length !== ED25519_SECRET_KEY_SIZE) {
    return err('KEY_INVALID', `secret key must be ${ED25519_SECRET_KEY_SIZE} bytes, got ${bytes.length}`);
  }
  return ok(bytes);
}

/**
 * Short display fingerprint: lowercase hex of the first 16 bytes of SHA-256(raw public key). For people
 * comparing keys on a screen or over the phone; verification always uses the full key.
 */
export function keyFingerprint(publicKey: Uint8Array): string {
  return encodeHex(sha256(publicKey).subarray(0, 16));
}
