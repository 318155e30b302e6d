// The log at its target size: 1,000,000 leaves built in memory in batches, then proofs and roots served from the
// node store with O(log n) reads each (DESIGN.md §5). Asserts how many nodes each query reads, not how long it takes.
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyConsistency, verifyInclusion } from '../../../schemas/signing/merkle.js';
import { appendLeaves, EMPTY_FRONTIER, type TreeFrontier } from '../../../server/log/append-leaves.js';
import { getConsistencyProof, getInclusionProof, getRootAt, recoverFrontier } from '../../../server/log/proofs.js';
import { MemoryTreeNodeStore } from '../../../server/log/tree-nodes.js';
import { CountingReader, fastLeafHash } from './tree-fixtures.js';

const TREE_SIZE = 1_000_000;
const LOG2 = Math.ceil(Math.log2(TREE_SIZE)); // 20

/** Deterministic pseudo-random integers in [0, bound) (mulberry32), so a failure can be replayed. */
function randomInts(seed: number, count: number, bound: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * bound);
  });
}

const store = new MemoryTreeNodeStore();
/** The root returned by each append batch, by size: what the checkpoint of that batch would sign. */
const batchRoots = new Map<number, Uint8Array>();
let frontier: TreeFrontier = EMPTY_FRONTIER;

beforeAll(() => {
  // Batches of varying size, as the ingest loop produces them.
  const batchSizes = randomInts(7, 4000, 500);
  let next = 0;
  while (frontier.size < TREE_SIZE) {
    const count = Math.min(1 + batchSizes[next++ % batchSizes.length]!, TREE_SIZE - frontier.size);
    const leafHashes = Array.from({ length: count }, (_, i) => fastLeafHash(frontier.size + i));
    const appended = appendLeaves(frontier, leafHashes);
    store.putNodes(appended.nodes);
    batchRoots.set(appended.frontier.size, appended.root);
    frontier = appended.frontier;
  }
}, 300_000);

describe('a log of 1,000,000 leaves in the node store', () => {
  it('holds every complete subtree: 2n - popcount(n) nodes', () => {
    expect(store.nodeCount).toBe(2 * TREE_SIZE - 7); // 1,000,000 has 7 bits set
  });

  it('serves inclusion proofs of random leaves that verify, each from one read of ≤ 2·⌈log2 n⌉ + 1 nodes', async () => {
    const root = batchRoots.get(TREE_SIZE)!;
    const reader = new CountingReader(store);
    const indices = [0, 1, 524_287, 524_288, 999_998, 999_999, ...randomInts(42, 300, TREE_SIZE)];
    for (const index of indices) {
      reader.reset();
      const proof = await getInclusionProof(reader, index, TREE_SIZE, TREE_SIZE);
      if (!proof.ok) throw new Error(proof.message);
      expect(reader.calls).toBe(1);
      expect(reader.keysRead).toBeLessThanOrEqual(2 * LOG2 + 1);
      expect(proof.value.leafHash).toEqual(fastLeafHash(index));
      const leafHash = fastLeafHash(index);
      const verified = verifyInclusion({ index, size: TREE_SIZE, leafHash, proof: proof.value.hashes, root });
      expect(verified.ok).toBe(true);
    }
  });

  it('serves inclusion proofs at past sizes (old checkpoints) that verify against the root of that batch', async () => {
    const sizes = [...batchRoots.keys()];
    const reader = new CountingReader(store);
    for (const pick of randomInts(5, 100, sizes.length)) {
      const size = sizes[pick]!;
      const [index] = randomInts(size, 1, size) as [number];
      reader.reset();
      const proof = await getInclusionProof(reader, index, size, TREE_SIZE);
      if (!proof.ok) throw new Error(proof.message);
      expect(reader.keysRead).toBeLessThanOrEqual(2 * LOG2 + 1);
      const root = batchRoots.get(size)!;
      const leafHash = fastLeafHash(index);
      expect(verifyInclusion({ index, size, leafHash, proof: proof.value.hashes, root }).ok).toBe(true);
    }
  });

  it('serves consistency proofs between random checkpoints that verify, each from ≤ 2·⌈log2 n⌉ reads', async () => {
    const sizes = [...batchRoots.keys()];
    const reader = new CountingReader(store);
    const picks = randomInts(99, 400, sizes.length);
    for (let i = 0; i < picks.length; i += 2) {
      const [from, to] = [sizes[picks[i]!]!, sizes[picks[i + 1]!]!].sort((a, b) => a - b) as [number, number];
      reader.reset();
      const proof = await getConsistencyProof(reader, from, to, TREE_SIZE);
      if (!proof.ok) throw new Error(proof.message);
      expect(reader.calls).toBeLessThanOrEqual(1);
      expect(reader.keysRead).toBeLessThanOrEqual(2 * LOG2);
      const verified = verifyConsistency({
        size1: from,
        size2: to,
        root1: batchRoots.get(from)!,
        root2: batchRoots.get(to)!,
        proof: proof.value.hashes,
      });
      expect(verified.ok).toBe(true);
    }
  });

  it('recomputes the root at every past batch size from at most ⌊log2 n⌋ + 1 nodes', async () => {
    const reader = new CountingReader(store);
    for (const [size, root] of batchRoots) {
      reader.reset();
      expect(await getRootAt(reader, size, TREE_SIZE)).toEqual({ ok: true, value: root });
      expect(reader.keysRead).toBeLessThanOrEqual(LOG2);
    }
  });

  it('recovers the frontier after a restart and appends on to the same root as without the restart', async () => {
    const recovered = await recoverFrontier(store, TREE_SIZE);
    expect(recovered).toEqual(frontier);
    const more = Array.from({ length: 1000 }, (_, i) => fastLeafHash(TREE_SIZE + i));
    expect(appendLeaves(recovered, more).root).toEqual(appendLeaves(frontier, more).root);
  });
});
