// The log's read queries over the node store: inclusion and consistency proofs, past roots, the frontier at restart.
//
// Each query is planned from its sizes alone, then served by ONE `getNodes` batch of O(log n) keys (at most
// 2·⌈log2 n⌉ + 1), whatever the tree size: with (level, idx) as the primary key that is one indexed SQL round trip.
import { err, ok, type Result } from '../../schemas/result.js';
import { frontierKeys, type TreeFrontier } from './append-leaves.js';
import type { LogErrorCode } from './log-errors.js';
import { planConsistencyProof } from './plan-consistency-proof.js';
import { planInclusionProof } from './plan-inclusion-proof.js';
import { assembleRoot, planRoot } from './plan-root.js';
import { assembleProof } from './proof-plan.js';
import { requireNodes, type NodeKey, type NodeMap, type TreeNodeReader } from './tree-nodes.js';
import { isTreeSize } from './tree-sizes.js';

export interface InclusionProof {
  readonly index: number;
  readonly size: number;
  /** The leaf's hash as stored (node 0:index), read in the same batch as the proof. */
  readonly leafHash: Uint8Array;
  /** RFC 9162 §2.1.3.1 inclusion path, leaf's sibling first; 32 bytes each. */
  readonly hashes: readonly Uint8Array[];
}

export interface ConsistencyProof {
  readonly from: number;
  readonly to: number;
  /** RFC 9162 §2.1.4.1 consistency path; empty when from = to or from = 0. */
  readonly hashes: readonly Uint8Array[];
}

/**
 * The inclusion proof of leaf `index` in the tree of `size` leaves. `treeSize` is the largest size the caller
 * will prove against (the log's size, or its latest checkpoint's): a larger `size` is SIZE_OUT_OF_RANGE, an index
 * outside [0, size) INDEX_OUT_OF_RANGE. `index` and `size` are attacker-controlled; `treeSize` is ours.
 * Throws `TreeNodeMissingError` if the store lacks a node it must hold at `treeSize`.
 */
export async function getInclusionProof(
  reader: TreeNodeReader,
  index: number,
  size: number,
  treeSize: number,
): Promise<Result<InclusionProof, LogErrorCode>> {
  assertTreeSize(treeSize);
  if (size > treeSize) return err('SIZE_OUT_OF_RANGE', `tree size ${size} is larger than the log (${treeSize})`);
  const plan = planInclusionProof(index, size);
  if (!plan.ok) return plan;
  const leafKey: NodeKey = { level: 0, index };
  const found = await reader.getNodes([...plan.value.keys, leafKey]);
  const [leafHash] = requireNodes(found, [leafKey]);
  return ok({ index, size, leafHash: leafHash!, hashes: assembleProof(plan.value, found) });
}

/**
 * The consistency proof from the tree of `from` leaves to the tree of `to` leaves (`from <= to <= treeSize`),
 * else INVALID_RANGE (from > to) or SIZE_OUT_OF_RANGE. `from` and `to` are attacker-controlled. Empty proofs
 * (from = to, from = 0) read nothing.
 */
export async function getConsistencyProof(
  reader: TreeNodeReader,
  from: number,
  to: number,
  treeSize: number,
): Promise<Result<ConsistencyProof, LogErrorCode>> {
  assertTreeSize(treeSize);
  if (to > treeSize) return err('SIZE_OUT_OF_RANGE', `tree size ${to} is larger than the log (${treeSize})`);
  const plan = planConsistencyProof(from, to);
  if (!plan.ok) return plan;
  const found = await readNodes(reader, plan.value.keys);
  return ok({ from, to, hashes: assembleProof(plan.value, found) });
}

/**
 * MTH(D[0:size]) for any `size <= treeSize` (the root a checkpoint at that size signs), from at most
 * ⌊log2 size⌋ + 1 stored nodes; SHA-256("") for size 0. `size` is attacker-controlled.
 */
export async function getRootAt(
  reader: TreeNodeReader,
  size: number,
  treeSize: number,
): Promise<Result<Uint8Array, LogErrorCode>> {
  assertTreeSize(treeSize);
  if (size > treeSize) return err('SIZE_OUT_OF_RANGE', `tree size ${size} is larger than the log (${treeSize})`);
  const plan = planRoot(size);
  if (!plan.ok) return plan;
  const found = await readNodes(reader, plan.value.keys);
  return ok(assembleRoot(plan.value, found));
}

/**
 * The frontier of the stored tree at `size` (e.g. the entry count after a restart), for `appendLeaves` to go on
 * from: the ≤ ⌊log2 size⌋ + 1 nodes of [0, size)'s binary decomposition, in one read. Throws
 * `TreeNodeMissingError` if one is absent, RangeError if `size` is not a size.
 */
export async function recoverFrontier(reader: TreeNodeReader, size: number): Promise<TreeFrontier> {
  assertTreeSize(size);
  const keys = frontierKeys(size);
  const found = await readNodes(reader, keys);
  return { size, hashes: requireNodes(found, keys) };
}

/** The nodes of `keys` in one read; no read at all when there are none (empty proofs, the empty tree). */
function readNodes(reader: TreeNodeReader, keys: readonly NodeKey[]): Promise<NodeMap> {
  return keys.length === 0 ? Promise.resolve(new Map()) : reader.getNodes(keys);
}

function assertTreeSize(size: number): void {
  if (!isTreeSize(size)) throw new RangeError(`the log's tree size must be a non-negative safe integer, not ${size}`);
}
