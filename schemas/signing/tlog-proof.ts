// C2SP tlog-proof (c2sp.org/tlog-proof@v1): a portable, offline-verifiable proof that an entry is in the log.
//
//   c2sp.org/tlog-proof@v1\n
//   [extra <base64 opaque data>\n]
//   index <decimal, no leading zeros>\n
//   <base64 inclusion proof hash>\n ...      (leaf's sibling first, RFC 6962 §2.1.1)
//   \n
//   <signed checkpoint note, verbatim>
//
// A pharmacist can keep one next to a pack's pedigree and check it later with only the log's vkey.
import { err, ok, type Result } from '../result.js';
import { openCheckpoint, type OpenCheckpointOptions, type OpenedCheckpoint } from './checkpoint.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { HASH_SIZE, verifyInclusion } from './merkle.js';
import { NOTE_MAX_BYTES } from './signed-note.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** Most proof lines accepted: a tree of 2^53 entries has paths of at most 53 hashes. */
const MAX_PROOF_LINES = 64;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

export interface TlogProof {
  /** Opaque, unauthenticated application data (the `extra` line), if any. */
  readonly extra?: Uint8Array;
  /** 0-based index of the entry. */
  readonly index: number;
  /** Inclusion proof hashes, leaf's sibling first. */
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim (with its signature lines). */
  readonly checkpoint: string;
}

/** The tlog-proof text. Throws TypeError on values that cannot be written (our own data). */
export function formatTlogProof(tlogProof: TlogProof): string {
  const { extra, index, proof, checkpoint } = tlogProof;
  if (!Number.isSafeInteger(index) || index < 0) throw new TypeError('tlog-proof index must be a non-negative integer');
  if (proof.some((h) => h.length !== HASH_SIZE)) throw new TypeError('tlog-proof hashes must be 32 bytes');
  let text = `${TLOG_PROOF_HEADER}\n`;
  if (extra !== undefined) text += `extra ${encodeBase64(extra)}\n`;
  text += `index ${index}\n`;
  for (const hash of proof) text += `${encodeBase64(hash)}\n`;
  return `${text}\n${checkpoint}`;
}

/**
 * Parses tlog-proof text (attacker-controlled: never throws). The checkpoint is returned verbatim and unverified;
 * verifyTlogProof opens it.
 */
export function parseTlogProof(text: unknown): Result<TlogProof, 'TLOG_PROOF_MALFORMED'> {
  if (typeof text !== 'string' || text.length > NOTE_MAX_BYTES + 4096) {
    return err('TLOG_PROOF_MALFORMED', 'tlog-proof must be a string of bounded size');
  }
  let offset = 0;
  const nextLine = (): string | undefined => {
    const end = text.indexOf('\n', offset);
    if (end < 0) return undefined;
    const line = text.slice(offset, end);
    offset = end + 1;
    return line;
  };
  if (nextLine() !== TLOG_PROOF_HEADER) return err('TLOG_PROOF_MALFORMED', `first line must be ${TLOG_PROOF_HEADER}`);
  let line = nextLine();
  let extra: Uint8Array | undefined;
  if (line?.startsWith('extra ')) {
    extra = decodeBase64(line.slice('extra '.length));
    if (extra === undefined) return err('TLOG_PROOF_MALFORMED', 'extra must be canonical base64');
    line = nextLine();
  }
  if (line === undefined || !line.startsWith('index ') || !DECIMAL.test(line.slice('index '.length))) {
    return err('TLOG_PROOF_MALFORMED', 'expected "index <decimal without leading zeros>"');
  }
  const index = Number(line.slice('index '.length));
  if (!Number.isSafeInteger(index)) return err('TLOG_PROOF_MALFORMED', 'index is above 2^53 - 1');
  const proof: Uint8Array[] = [];
  for (line = nextLine(); line !== undefined && line !== ''; line = nextLine()) {
    const hash = decodeBase64(line);
    if (hash === undefined || hash.length !== HASH_SIZE) {
      return err('TLOG_PROOF_MALFORMED', 'proof lines must be canonical base64 of 32 bytes');
    }
    if (proof.length === MAX_PROOF_LINES) return err('TLOG_PROOF_MALFORMED', 'too many proof lines');
    proof.push(hash);
  }
  if (line === undefined) return err('TLOG_PROOF_MALFORMED', 'missing empty line before the checkpoint');
  const checkpoint = text.slice(offset);
  if (checkpoint.length === 0) return err('TLOG_PROOF_MALFORMED', 'missing checkpoint');
  return ok(extra === undefined ? { index, proof, checkpoint } : { extra, index, proof, checkpoint });
}

export interface VerifyTlogProofOptions extends OpenCheckpointOptions {
  /** Leaf hash of the entry the proof is about, computed by the caller from the entry (tlog-proof step 1). */
  readonly leafHash: Uint8Array;
  /** Fewest valid cosignatures from `witnessVerifiers` required. Default 0. */
  readonly minCosignatures?: number;
}

/** Why a tlog-proof did not verify. */
export type TlogProofFailure =
  | 'TLOG_PROOF_MALFORMED'
  | 'NOTE_MALFORMED'
  | 'NOTE_SIGNATURE_INVALID'
  | 'CHECKPOINT_MALFORMED'
  | 'INCLUSION_PROOF_INVALID';

export interface VerifiedTlogProof extends OpenedCheckpoint {
  readonly index: number;
  readonly extra?: Uint8Array;
}

/**
 * Verifies a tlog-proof offline (tlog-proof §Verifying): the checkpoint is signed by the log for the expected
 * origin, known witnesses' cosignatures verify (and at least minCosignatures of them), and the inclusion proof
 * binds `leafHash` at `index` to the checkpoint's root. Never throws.
 */
export function verifyTlogProof(
  text: unknown,
  options: VerifyTlogProofOptions,
): Result<VerifiedTlogProof, TlogProofFailure> {
  const parsed = parseTlogProof(text);
  if (!parsed.ok) return parsed;
  const opened = openCheckpoint(parsed.value.checkpoint, options);
  if (!opened.ok) return opened;
  const minCosignatures = options.minCosignatures ?? 0;
  if (opened.value.cosignatures.length < minCosignatures) {
    return err(
      'NOTE_SIGNATURE_INVALID',
      `checkpoint has ${opened.value.cosignatures.length} known cosignatures, ${minCosignatures} required`,
    );
  }
  const included = verifyInclusion({
    index: parsed.value.index,
    size: opened.value.checkpoint.size,
    leafHash: options.leafHash,
    proof: parsed.value.proof,
    root: opened.value.checkpoint.rootHash,
  });
  if (!included.ok) return included;
  const { extra, index } = parsed.value;
  return ok(extra === undefined ? { ...opened.value, index } : { ...opened.value, index, extra });
}
