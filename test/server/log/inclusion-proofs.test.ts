import { describe, expect, it } from 'vitest';
import { inclusionProof, rootFromLeafHashes, verifyInclusion } from '../../../schemas/signing/merkle.js';
import { TreeNodeMissingError } from '../../../server/log/log-errors.js';
import { planInclusionProof } from '../../../server/log/plan-inclusion-proof.js';
import { leafHash } from '../../../server/log/merkle-hashes.js';
import { getInclusionProof } from '../../../server/log/proofs.js';
import { MemoryTreeNodeStore } from '../../../server/log/tree-nodes.js';
import { buildTree, CountingReader, sampleLeafHashes, SizeBoundReader } from './tree-fixtures.js';

const TREE_SIZE = 300;
const leaves = sampleLeafHashes(TREE_SIZE);
const { store } = buildTree(leaves, 17);
const roots = Array.from({ length: TREE_SIZE + 1 }, (_, size) => rootFromLeafHashes(leaves.slice(0, size)));

function log2Ceil(n: number): number {
  return Math.ceil(Math.log2(n));
}

describe('getInclusionProof', () => {
  describe('for every tree size 1..300 and every leaf index', () => {
    const title = 'reads one batch of at most 2·⌈log2 size⌉ + 1 nodes complete at that size, and the proof verifies';
    it(title, { timeout: 180_000 }, async () => {
      for (let size = 1; size <= TREE_SIZE; size++) {
        const bounded = new SizeBoundReader(store, size);
        const reader = new CountingReader(bounded);
        for (let index = 0; index < size; index++) {
          reader.reset();
          const proof = await getInclusionProof(reader, index, size, TREE_SIZE);
          if (!proof.ok) throw new Error(`${index}/${size}: ${proof.code}`);
          expect(reader.calls).toBe(1);
          expect(reader.keysRead).toBeLessThanOrEqual(2 * log2Ceil(size) + 1);
          expect(proof.value.leafHash).toEqual(leaves[index]);
          const verified = verifyInclusion({
            index,
            size,
            leafHash: leaves[index]!,
            proof: proof.value.hashes,
            root: roots[size]!,
          });
          if (!verified.ok) throw new Error(`${index}/${size}: ${verified.message}`);
        }
        expect(bounded.beyondSize).toEqual([]);
      }
    });

    // A proof that verifies against the right root is the reference proof unless SHA-256 collides (the verifier
    // fixes its length and shape), so comparing every proof would add nothing but time: the reference is
    // O(n log n) hashes per proof. Compare all indices up to 64 leaves, and the edge indices beyond.
    it('equals the reference inclusionProof over the in-memory list', { timeout: 180_000 }, async () => {
      for (let size = 1; size <= TREE_SIZE; size++) {
        const list = leaves.slice(0, size);
        const split = 2 ** Math.floor(Math.log2(size - 1 || 1));
        const edges = [0, 1, split - 1, split, size - 2, size - 1, Math.floor(size / 3), Math.floor((size * 5) / 7)];
        const indices = size <= 64 ? list.keys() : new Set(edges);
        for (const index of indices) {
          const proof = await getInclusionProof(store, index, size, TREE_SIZE);
          expect(proof.ok && proof.value.hashes).toEqual(inclusionProof(list, index));
        }
      }
    });
  });

  describe('when the tree has one leaf', () => {
    it('gives the empty proof: the leaf hash is the root', async () => {
      const proof = await getInclusionProof(store, 0, 1, TREE_SIZE);
      expect(proof).toEqual({ ok: true, value: { index: 0, size: 1, leafHash: leaves[0], hashes: [] } });
    });
  });

  describe('when two logs of the same size are proved in one process', () => {
    it("gives each log's proof from its own nodes, though their right edges share a range", async () => {
      // Size 7, leaf 2: the last proof hash folds (1:2) and (0:6), the right edge of both trees.
      const other = sampleLeafHashes(TREE_SIZE).map((h) => leafHash(h));
      const { store: otherStore } = buildTree(other.slice(0, 7));
      for (const [list, s] of [
        [leaves, store],
        [other, otherStore],
        [leaves, store],
      ] as const) {
        const proof = await getInclusionProof(s, 2, 7, TREE_SIZE);
        expect(proof.ok && proof.value.hashes).toEqual(inclusionProof(list.slice(0, 7), 2));
      }
    });
  });

  describe('when the index is not a leaf of the tree of that size', () => {
    it.each([
      [5, 5],
      [6, 5],
      [-1, 5],
      [1.5, 5],
      [Number.NaN, 5],
      [0, 0],
      [Number.MAX_SAFE_INTEGER + 1, TREE_SIZE],
    ])('refuses index %s of size %s with INDEX_OUT_OF_RANGE, reading nothing', async (index, size) => {
      const reader = new CountingReader(store);
      const proof = await getInclusionProof(reader, index, size, TREE_SIZE);
      expect(proof.ok || proof.code).toBe('INDEX_OUT_OF_RANGE');
      expect(reader.calls).toBe(0);
    });
  });

  describe('when the size is larger than the log or not a size', () => {
    it.each([[TREE_SIZE + 1], [Number.MAX_SAFE_INTEGER], [Infinity], [-1], [2.5], [Number.NaN]])(
      'refuses size %s with SIZE_OUT_OF_RANGE, reading nothing',
      async (size) => {
        const reader = new CountingReader(store);
        const proof = await getInclusionProof(reader, 0, size, TREE_SIZE);
        expect(proof.ok || proof.code).toBe('SIZE_OUT_OF_RANGE');
        expect(reader.calls).toBe(0);
      },
    );

    it('checks the size before the index', async () => {
      const proof = await getInclusionProof(store, TREE_SIZE + 5, TREE_SIZE + 1, TREE_SIZE);
      expect(proof.ok || proof.code).toBe('SIZE_OUT_OF_RANGE');
    });
  });

  describe('when the store lacks a node the log must hold', () => {
    it('throws TreeNodeMissingError naming the missing nodes', async () => {
      const partial = new MemoryTreeNodeStore();
      partial.putNodes([{ level: 0, index: 0, hash: leaves[0]! }]);
      const failure = getInclusionProof(partial, 0, 2, 2);
      await expect(failure).rejects.toBeInstanceOf(TreeNodeMissingError);
      await expect(failure).rejects.toMatchObject({ code: 'TREE_NODE_MISSING', missing: ['0:1'] });
    });
  });
});

describe('planInclusionProof', () => {
  it('lists the siblings leaf first: a complete subtree each, except the one on the right edge', () => {
    // Size 7, leaf 2: siblings leaf 3, then [0, 2), then [4, 7) = (1:2) + (0:6) folded.
    const plan = planInclusionProof(2, 7);
    expect(plan.ok && plan.value.hashes).toEqual([
      [{ level: 0, index: 3 }],
      [{ level: 1, index: 0 }],
      [
        { level: 1, index: 2 },
        { level: 0, index: 6 },
      ],
    ]);
  });

  it('needs at most 2·⌈log2 size⌉ keys at sizes up to 2^53 - 1', () => {
    for (const size of [2 ** 20 + 1, 1_000_000, 2 ** 32 + 12_345, 2 ** 40 - 1, Number.MAX_SAFE_INTEGER]) {
      for (const index of [0, 1, Math.floor(size / 3), size - 2, size - 1]) {
        const plan = planInclusionProof(index, size);
        if (!plan.ok) throw new Error(plan.message);
        expect(plan.value.keys.length).toBeLessThanOrEqual(2 * log2Ceil(size));
        for (const key of plan.value.keys) {
          expect(Number.isSafeInteger(key.index)).toBe(true);
          expect((key.index + 1) * 2 ** key.level).toBeLessThanOrEqual(size);
        }
      }
    }
  });
});
