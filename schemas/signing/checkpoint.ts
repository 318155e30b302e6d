// C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the signed tree head the ledger publishes after each batch.
//
//   <origin>\n
//   <tree size, decimal, no leading zeros>\n
//   <base64 RFC 6962 root hash>\n
//   [<extension line>\n ...]
//
// The body is note text (signed-note.ts); the log signs it with Ed25519 (type 0x01) and witnesses cosign it
// (cosignature.ts). Sizes are JavaScript numbers: a checkpoint above 2^53 - 1 entries is refused as malformed.
import { err, ok, type Result } from '../result.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { HASH_SIZE } from './merkle.js';
import {
  isValidNoteText,
  openNote,
  signNote,
  type NoteParseOptions,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
} from './signed-note.js';

/** A log's tree head at one size. */
export interface Checkpoint {
  /** Log identity, e.g. `pedigree.example/log` (tlog-checkpoint §Note text, line 1). */
  readonly origin: string;
  /** Number of entries. */
  readonly size: number;
  /** RFC 6962 root hash of the tree of `size` entries (32 bytes). */
  readonly rootHash: Uint8Array;
  /** Opaque extension lines, each non-empty (not recommended by the spec; kept for round-trips). */
  readonly extensions: readonly string[];
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Checkpoint body text. Throws TypeError on a checkpoint that cannot be written (our own data). */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions } = checkpoint;
  if (origin.length === 0 || origin.includes('\n')) throw new TypeError('checkpoint origin must be one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new TypeError('checkpoint size must be a non-negative safe integer');
  }
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== HASH_SIZE) {
    throw new TypeError('checkpoint root hash must be 32 bytes');
  }
  for (const line of extensions) {
    if (line.length === 0 || line.includes('\n')) {
      throw new TypeError('checkpoint extension lines must be non-empty lines');
    }
  }
  const text = [origin, String(size), encodeBase64(rootHash), ...extensions].join('\n') + '\n';
  if (!isValidNoteText(text)) throw new TypeError('checkpoint text has a control character or invalid Unicode');
  return text;
}

/**
 * Parses checkpoint body text (the note text, without signatures). Attacker-controlled input: never throws.
 * Refuses: missing final newline, control characters, fewer than three lines, an empty origin, a size with
 * leading zeros or a sign or above 2^53 - 1, a root hash that is not canonical base64 of 32 bytes, and empty
 * extension lines.
 */
export function parseCheckpoint(text: unknown): Result<Checkpoint, 'CHECKPOINT_MALFORMED'> {
  if (!isValidNoteText(text)) {
    return err('CHECKPOINT_MALFORMED', 'checkpoint must be Unicode text ending in a newline, no control characters');
  }
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return err('CHECKPOINT_MALFORMED', 'checkpoint needs origin, size and root hash lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) return err('CHECKPOINT_MALFORMED', 'checkpoint origin is empty');
  if (!DECIMAL.test(sizeText)) {
    return err('CHECKPOINT_MALFORMED', 'checkpoint size must be decimal without leading zeros');
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return err('CHECKPOINT_MALFORMED', 'checkpoint size is above 2^53 - 1');
  const rootHash = decodeBase64(rootText);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) {
    return err('CHECKPOINT_MALFORMED', 'checkpoint root hash must be canonical base64 of 32 bytes');
  }
  if (extensions.some((line) => line.length === 0)) {
    return err('CHECKPOINT_MALFORMED', 'checkpoint extension lines must be non-empty');
  }
  return ok({ origin, size, rootHash, extensions });
}

/** The signed checkpoint note: body plus one signature line per signer (the log's key first). */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

export interface OpenCheckpointOptions extends NoteParseOptions {
  /** The origin line the caller expects (a checkpoint of another log is refused). */
  readonly origin: string;
  /** The log's key: its signature is required. */
  readonly logVerifier: NoteVerifier;
  /** Witness cosigners the caller knows (cosignature.ts); unknown signatures are ignored. */
  readonly witnessVerifiers?: readonly NoteVerifier[];
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The exact note text that was signed. */
  readonly text: string;
  /** Verified signatures by known witnesses (excluding the log's own). */
  readonly cosignatures: readonly NoteSignature[];
  /** Signature lines by keys the caller does not know. */
  readonly unverified: readonly NoteSignature[];
}

/**
 * Verifies and parses a signed checkpoint note (attacker-controlled: never throws): the log's own signature
 * must be present and valid, every known witness signature present must be valid, and the origin must match.
 */
export function openCheckpoint(
  note: unknown,
  options: OpenCheckpointOptions,
): Result<OpenedCheckpoint, 'NOTE_MALFORMED' | 'NOTE_SIGNATURE_INVALID' | 'CHECKPOINT_MALFORMED'> {
  const { logVerifier, witnessVerifiers = [] } = options;
  const opened = openNote(note, [logVerifier, ...witnessVerifiers], options);
  if (!opened.ok) return opened;
  const isLog = (s: NoteSignature): boolean => s.name === logVerifier.name && s.keyId === logVerifier.keyId;
  if (!opened.value.verified.some(isLog)) {
    return err('NOTE_SIGNATURE_INVALID', `checkpoint is not signed by the log key ${logVerifier.name}`);
  }
  const checkpoint = parseCheckpoint(opened.value.text);
  if (!checkpoint.ok) return checkpoint;
  if (checkpoint.value.origin !== options.origin) {
    return err('CHECKPOINT_MALFORMED', `checkpoint origin is not ${JSON.stringify(options.origin)}`);
  }
  return ok({
    checkpoint: checkpoint.value,
    text: opened.value.text,
    cosignatures: opened.value.verified.filter((s) => !isLog(s)),
    unverified: opened.value.unverified,
  });
}
