// Appending leaf hashes to the log's Merkle tree: the new complete subtrees to store, the new frontier and root.
//
// The frontier of a tree of size n is its compact range [0, n): the hashes of the complete subtrees along the right
// edge, one per set bit of n, widest (leftmost) first. It is all an appender needs to keep in memory: each new leaf
// at index i completes one subtree per trailing 1-bit of i, each the join of a frontier hash with the new one.
import { HASH_SIZE, emptyRoot } from '../../schemas/signing/merkle.js';
import { nodeHash } from './merkle-hashes.js';
import { foldSubtreeHashes, subtreeKeys } from './subtree-ranges.js';
import type { NodeKey, TreeNode } from './tree-nodes.js';

export interface TreeFrontier {
  /** Number of leaves in the tree. */
  readonly size: number;
  /** Hashes of the complete subtrees covering [0, size), left to right: the nodes `frontierKeys(size)` names. */
  readonly hashes: readonly Uint8Array[];
}

export interface AppendedLeaves {
  readonly frontier: TreeFrontier;
  /** Every complete subtree the batch created, leaves included, each before its parent: store them all. */
  readonly nodes: readonly TreeNode[];
  /** MTH (RFC 9162 §2.1.1) of the tree at the new size: the root its checkpoint signs. */
  readonly root: Uint8Array;
}


/** The frontier of the empty tree. */
export const EMPTY_FRONTIER: TreeFrontier = Object.freeze({ size: 0, hashes: Object.freeze([]) });

/**
 * The stored nodes that make up the frontier at `size`, left to right: one node per set bit of `size`, so at most
 * ⌊log2 size⌋ + 1 of them. Reading these after a restart recovers the frontier (`recoverFrontier` in proofs.ts).
 */
export function frontierKeys(size: number): NodeKey[] {
  return subtreeKeys(0, size);
}

/** MTH of the tree the frontier describes: its hashes folded right to left; SHA-256("") for the empty tree. */
export function rootFromFrontier(frontier: TreeFrontier): Uint8Array {
  return frontier.size === 0 ? emptyRoot() : foldSubtreeHashes(frontier.hashes);
}

/**
 * Appends `leafHashes` (RFC 9162 leaf hashes, `SHA-256(0x00 ‖ entry)`) after the `frontier.size` leaves the
 * frontier describes. Pure: the caller stores `nodes` and keeps the returned frontier. Appending a batch gives
 * the same nodes, frontier and root as appending its leaves one at a time. Throws when the frontier does not match
 * its size or a hash is not 32 bytes: both come from the server itself, never from a client.
 */
export function appendLeaves(frontier: TreeFrontier, leafHashes: readonly Uint8Array[]): AppendedLeaves {
  assertFrontier(frontier);
  // Right edge as a stack: the top is the narrowest complete subtree, the one a new leaf may complete.
  const stack = frontier.hashes.slice();
  const nodes: TreeNode[] = [];
  let size = frontier.size;
  for (const leaf of leafHashes) {
    if (leaf.length !== HASH_SIZE) throw new RangeError(`leaf hash ${size} is ${leaf.length} bytes, expected 32`);
    nodes.push({ level: 0, index: size, hash: leaf });
    let hash = leaf;
    let level = 0;
    let index = size;
    // A node with an odd index is a right child: its left sibling is the top of the stack, and together they
    // complete the parent. Repeat up the tree (the carry of a binary increment).
    while (index % 2 === 1) {
      hash = nodeHash(stack.pop()!, hash);
      level++;
      index = (index - 1) / 2;
      nodes.push({ level, index, hash });
    }
    stack.push(hash);
    size++;
  }
  const next: TreeFrontier = { size, hashes: stack };
  return { frontier: next, nodes, root: rootFromFrontier(next) };
}

function assertFrontier(frontier: TreeFrontier): void {
  if (!Number.isSafeInteger(frontier.size) || frontier.size < 0) {
    throw new RangeError(`invalid frontier size ${frontier.size}`);
  }
  const expected = frontierKeys(frontier.size).length;
  if (frontier.hashes.length !== expected) {
    throw new RangeError(
      `a frontier of size ${frontier.size} has ${expected} hashes, this one has ${frontier.hashes.length}`,
    );
  }
  for (const hash of frontier.hashes) {
    if (hash.length !== HASH_SIZE) throw new RangeError(`frontier hash is ${hash.length} bytes, expected 32`);
  }
}
