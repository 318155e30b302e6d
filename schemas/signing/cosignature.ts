// C2SP tlog-cosignature v1 (Ed25519, type 0x04): witnesses' timestamped signatures on checkpoints.
//
//   key ID    = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key)[:4]
//   signed    = "cosignature/v1\n" ‖ "time " <decimal timestamp> "\n" ‖ checkpoint note text
//   signature = uint64 big-endian timestamp (8 bytes) ‖ Ed25519 signature (64 bytes)   = 72 bytes
// A cosignature is a note signature line, so openNote/openCheckpoint verify it through the NoteVerifier here.
import { err, ok, type Result } from '../result.js';
import { deriveEd25519PublicKey, isStrictEd25519PublicKey, signEd25519, verifyEd25519 } from './ed25519.js';
import { concatBytes, encodeUtf8 } from './encoding.js';
import {
  computeKeyId,
  isValidKeyName,
  parseVkey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  type NoteSigner,
  type NoteVerifier,
} from './signed-note.js';

/** Length of an Ed25519 cosignature after the key ID: 8-byte timestamp ‖ 64-byte signature. */
export const COSIGNATURE_SIZE = 72;
const MAX_TIMESTAMP = 2n ** 63n - 1n; // tlog-cosignature: "MUST NOT exceed 2^63 - 1"

/** The message an Ed25519 v1 cosignature signs (tlog-cosignature §Ed25519 signed message). */
export function cosignatureMessage(checkpointText: Uint8Array, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError('cosignature timestamp must be a non-negative safe integer (POSIX seconds)');
  }
  return concatBytes(encodeUtf8(`cosignature/v1\ntime ${timestamp}\n`), checkpointText);
}

/** The POSIX timestamp of a 72-byte cosignature, or undefined when it is not one or beyond 2^53 - 1. */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (!(signature instanceof Uint8Array) || signature.length !== COSIGNATURE_SIZE) return undefined;
  const view = new DataView(signature.buffer, signature.byteOffset, 8);
  const timestamp = view.getBigUint64(0, false);
  if (timestamp > MAX_TIMESTAMP || timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(timestamp);
}

export interface Ed25519CosignerOptions {
  /** Cosigner (witness) name, e.g. `witness.example/w1`. */
  readonly name: string;
  readonly secretKey: Uint8Array;
  /** Current POSIX time in seconds. Default: the system clock. */
  readonly now?: () => number;
}

/** A witness's cosigner: signs checkpoint note text with the current time. Throws on an invalid name or key. */
export function ed25519Cosigner(options: Ed25519CosignerOptions): NoteSigner {
  const { name, secretKey, now = () => Math.floor(Date.now() / 1000) } = options;
  if (!isValidKeyName(name)) throw new TypeError('cosigner name must be non-empty, without spaces or +');
  const keyId = computeKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, deriveEd25519PublicKey(secretKey));
  return {
    name,
    keyId,
    sign(text) {
      const timestamp = now();
      const stamp = new Uint8Array(8);
      new DataView(stamp.buffer).setBigUint64(0, BigInt(timestamp), false);
      return concatBytes(stamp, signEd25519(cosignatureMessage(text, timestamp), secretKey));
    },
  };
}

export interface Ed25519CosignatureVerifierOptions {
  readonly name: string;
  readonly publicKey: Uint8Array;
}

/** Verifies Ed25519 v1 cosignatures of one witness. Throws on an invalid name or key (configuration). */
export function ed25519CosignatureVerifier(options: Ed25519CosignatureVerifierOptions): NoteVerifier {
  const { name, publicKey } = options;
  if (!isValidKeyName(name)) throw new TypeError('cosigner name must be non-empty, without spaces or +');
  if (!isStrictEd25519PublicKey(publicKey)) throw new TypeError('not a strict Ed25519 public key');
  const key = publicKey.slice();
  return {
    name,
    keyId: computeKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, key),
    verify(text, signature) {
      const timestamp = cosignatureTimestamp(signature);
      if (timestamp === undefined) return false;
      return verifyEd25519(signature.subarray(8), cosignatureMessage(text, timestamp), key);
    },
  };
}

/** A cosignature verifier from a type-0x04 vkey. Never throws. */
export function cosignatureVerifierFromVkey(text: unknown): Result<NoteVerifier, 'KEY_INVALID'> {
  const parsed = parseVkey(text);
  if (!parsed.ok) return parsed;
  if (parsed.value.type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
    return err('KEY_INVALID', 'vkey is not an Ed25519 cosignature key (type 0x04)');
  }
  return ok(ed25519CosignatureVerifier({ name: parsed.value.name, publicKey: parsed.value.publicKey }));
}
