// A proof plan: which stored nodes an RFC 9162 proof needs (read in one batch) and how to assemble it from them.
import { bytesEqual } from '../../schemas/signing/encoding.js';
import { foldSubtreeHashes, subtreeKeys } from './subtree-ranges.js';
import { nodeKey, requireNodes, type NodeKey, type NodeMap } from './tree-nodes.js';

export interface ProofPlan {
  /** Every stored node the proof needs, each once: pass them to `TreeNodeReader.getNodes` in one call. */
  readonly keys: readonly NodeKey[];
  /**
   * One item per proof hash, in RFC 9162 order (§2.1.3.1 / §2.1.4.1): the complete subtrees, left to right, that
   * make up that hash. A single key when the proof node is a complete subtree; several for the one proof node that
   * lies on the right edge of the tree, whose hash is their right-to-left fold.
   */
  readonly hashes: readonly (readonly NodeKey[])[];
}

export const EMPTY_PROOF_PLAN: ProofPlan = Object.freeze({ keys: Object.freeze([]), hashes: Object.freeze([]) });

/** A plan whose proof hashes are MTH(D[start:end]) of each range, in the order given. */
export function planFromRanges(ranges: readonly (readonly [start: number, end: number])[]): ProofPlan {
  const hashes: NodeKey[][] = [];
  const keys: NodeKey[] = [];
  for (const [start, end] of ranges) {
    const parts = subtreeKeys(start, end);
    hashes.push(parts);
    // The ranges of one proof are disjoint, so no key repeats. (A loop: Array.flat was a tenth of a proof's time.)
    for (const k of parts) keys.push(k);
  }
  return { keys, hashes };
}

/**
 * The proof the plan describes, from the nodes a `getNodes(plan.keys)` call returned. Throws
 * `TreeNodeMissingError` if one is absent (the store is damaged: the plan only names nodes of reached sizes).
 */
export function assembleProof(plan: ProofPlan, found: NodeMap): Uint8Array[] {
  requireNodes(found, plan.keys); // throws naming every absent node, not just the first proof hash's
  return plan.hashes.map((parts) => (parts.length === 1 ? found.get(nodeKey(parts[0]!))! : rightEdgeFold(parts, found)));
}

/**
 * Folds of right-edge ranges, by range. Every proof at one tree size shares its right edge (about log2(size) / 2
 * hashes to fold), so a fold is kept, a few hundred of them; a kept fold is used only when the subtree hashes it was
 * made from are the ones found now, so two logs in one process (tests, tools) never take each other's.
 */
const folds = new Map<string, { readonly parts: readonly Uint8Array[]; readonly hash: Uint8Array }>();
const MAX_FOLDS = 256;

function rightEdgeFold(parts: readonly NodeKey[], found: NodeMap): Uint8Array {
  // A range's subtrees are its unique decomposition (subtreeKeys), so the first and the last name the range.
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const id = `${first.index * 2 ** first.level},${(last.index + 1) * 2 ** last.level}`;
  const hashes = requireNodes(found, parts);
  const kept = folds.get(id);
  if (kept !== undefined && sameHashes(kept.parts, hashes)) return kept.hash;
  const hash = foldSubtreeHashes(hashes);
  if (folds.size >= MAX_FOLDS) folds.clear();
  folds.set(id, { parts: hashes.map((h) => h.slice()), hash }); // copies: a view would keep a cache chunk alive
  return hash;
}

function sameHashes(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((h, i) => bytesEqual(h, b[i]!));
}
