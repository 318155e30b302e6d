// What the Verify page's script checks, in the browser, with the same pure code the ledger and the CLI use
// (schemas/signing: @noble/curves Ed25519, @noble/hashes SHA-256, no node:crypto): the checkpoint is signed by the
// ledger key, and the pack's latest entry is in the tree that checkpoint describes (RFC 9162 §2.1.3.2).
// Everything here is attacker-controlled (a page or proxy could be tampered with): never throws.
import { openCheckpoint } from '../../../../schemas/signing/checkpoint.js';
import { bytesEqual, decodeBase64 } from '../../../../schemas/signing/encoding.js';
import { keyFingerprint } from '../../../../schemas/signing/keys.js';
import { leafHash, verifyInclusion } from '../../../../schemas/signing/merkle.js';
import { noteVerifierFromVkey, parseVkey } from '../../../../schemas/signing/signed-note.js';

/** The `proof` of a verification answer (GET /v1/verify). */
export interface ProofInput {
  readonly index: number;
  readonly size: number;
  /** base64 of the exact entry bytes. */
  readonly entry: string;
  readonly leafHash: string;
  readonly hashes: readonly string[];
  /** The signed checkpoint note. */
  readonly checkpoint: string;
}

export type CheckFailure = 'KEY_INVALID' | 'CHECKPOINT_INVALID' | 'PROOF_MALFORMED' | 'LEAF_MISMATCH' | 'INCLUSION_PROOF_INVALID' | 'WRONG_ENTRY';

export type CheckResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: CheckFailure; readonly message: string };

export interface KeyInfo {
  /** The log's name (vkey name = checkpoint origin). */
  readonly origin: string;
  /** keyFingerprint of the public key: lowercase hex. */
  readonly fingerprint: string;
}

export interface CheckedCheckpoint extends KeyInfo {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Signatures by other keys (witness cosigners this page does not know): counted, not checked. */
  readonly otherSignatures: number;
}

export interface CheckedProof extends CheckedCheckpoint {
  readonly index: number;
}

const fail = (code: CheckFailure, message: string) => ({ ok: false as const, code, message });

export function readKey(vkey: unknown): CheckResult<KeyInfo> {
  const parsed = parseVkey(typeof vkey === 'string' ? vkey.trim() : vkey);
  if (!parsed.ok) return fail('KEY_INVALID', `the ledger key is unreadable: ${parsed.message}`);
  return { ok: true, value: { origin: parsed.value.name, fingerprint: keyFingerprint(parsed.value.publicKey) } };
}

/** The checkpoint note is signed by the key `vkey` names, for the log `vkey` names. */
export function checkCheckpoint(note: unknown, vkey: unknown): CheckResult<CheckedCheckpoint> {
  const key = readKey(vkey);
  if (!key.ok) return key;
  const verifier = noteVerifierFromVkey(typeof vkey === 'string' ? vkey.trim() : vkey);
  if (!verifier.ok) return fail('KEY_INVALID', `the ledger key is unusable: ${verifier.message}`);
  const opened = openCheckpoint(note, { origin: key.value.origin, logVerifier: verifier.value });
  if (!opened.ok) return fail('CHECKPOINT_INVALID', `the checkpoint is not validly signed by the ledger key: ${opened.message}`);
  const { size, rootHash } = opened.value.checkpoint;
  return { ok: true, value: { ...key.value, size, rootHash, otherSignatures: opened.value.unverified.length } };
}

function readInput(input: unknown): ProofInput | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  const p = input as Record<string, unknown>;
  const nat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!nat(p.index) || !nat(p.size) || typeof p.entry !== 'string' || typeof p.leafHash !== 'string' || typeof p.checkpoint !== 'string') return undefined;
  if (!Array.isArray(p.hashes) || p.hashes.length > 64 || !p.hashes.every((h) => typeof h === 'string')) return undefined;
  return p as unknown as ProofInput;
}

/**
 * The whole check: key, checkpoint signature, that the proof is for the checkpoint's tree size, that the entry bytes
 * hash to the leaf, that the leaf is at `index` under the checkpoint's root, and (when given) that `index` is the
 * entry the page's pedigree ends with.
 */
export function checkProof(input: unknown, vkey: unknown, expectedIndex?: number): CheckResult<CheckedProof> {
  const proof = readInput(input);
  if (!proof) return fail('PROOF_MALFORMED', 'the proof on this page is malformed');
  const cp = checkCheckpoint(proof.checkpoint, vkey);
  if (!cp.ok) return cp;
  if (cp.value.size !== proof.size) return fail('PROOF_MALFORMED', `the proof is for a log of ${proof.size} entries but the checkpoint is of ${cp.value.size}`);
  const entry = decodeBase64(proof.entry);
  const claimed = decodeBase64(proof.leafHash);
  const hashes = proof.hashes.map((h) => decodeBase64(h));
  if (entry === undefined || claimed === undefined || hashes.some((h) => h === undefined)) return fail('PROOF_MALFORMED', 'the proof’s hashes are not valid base64');
  const computed = leafHash(entry);
  if (!bytesEqual(computed, claimed)) return fail('LEAF_MISMATCH', 'the entry’s bytes do not hash to the leaf the proof is about');
  const included = verifyInclusion({ index: proof.index, size: proof.size, leafHash: computed, proof: hashes as Uint8Array[], root: cp.value.rootHash });
  if (!included.ok) return fail('INCLUSION_PROOF_INVALID', `the entry is not proven to be in the log: ${included.message}`);
  if (expectedIndex !== undefined && expectedIndex !== proof.index) return fail('WRONG_ENTRY', `the proof is for entry #${proof.index}, not the pack’s latest entry #${expectedIndex}`);
  return { ok: true, value: { ...cp.value, index: proof.index } };
}

/** `a1b2 c3d4 …`. */
export function groupFingerprint(hex: string): string {
  return hex.replace(/(.{4})(?=.)/g, '$1 ');
}
