// The in-memory cache of the tree's upper levels (tree-node-cache.ts): proofs through it equal proofs from the store,
// and once warm the shared upper levels are no longer read from the store.
import { describe, expect, it } from 'vitest';
import { rootFromLeafHashes, verifyInclusion } from '../../../schemas/signing/merkle.js';
import { getInclusionProof } from '../../../server/log/proofs.js';
import { planInclusionProof } from '../../../server/log/plan-inclusion-proof.js';
import { TreeNodeCache } from '../../../server/log/tree-node-cache.js';
import { nodeKey } from '../../../server/log/tree-nodes.js';
import { buildTree, CountingReader, sampleLeafHashes } from './tree-fixtures.js';

const SIZE = 5000;
const leaves = sampleLeafHashes(SIZE);
const { store } = buildTree(leaves, 17);
const root = rootFromLeafHashes(leaves);

/** A page of what the store holds at `level`: its complete subtrees, (i + 1)·2^level ≤ SIZE, from `from` on. */
const pagesRead: number[] = [];
async function readPage(level: number, from: number, limit: number) {
  pagesRead.push(level);
  const keys = [];
  for (let i = from; (i + 1) * 2 ** level <= SIZE && keys.length < limit; i++) keys.push({ level, index: i });
  const found = await store.getNodes(keys);
  return keys.map((k) => ({ ...k, hash: found.get(nodeKey(k))! }));
}

describe('a proof read through the node cache', () => {
  it('is the proof the store gives, for every leaf, and verifies', async () => {
    const cache = new TreeNodeCache(store, { minLevel: 4 });
    for (let index = 0; index < SIZE; index += 7) {
      const direct = await getInclusionProof(store, index, SIZE, SIZE);
      const cached = await getInclusionProof(cache, index, SIZE, SIZE);
      expect(cached).toEqual(direct);
      if (!cached.ok) throw new Error(cached.code);
      expect(verifyInclusion({ index, size: SIZE, leafHash: leaves[index]!, proof: cached.value.hashes, root }).ok).toBe(true);
    }
  });

  it('reads at most the leaf and its siblings below minLevel from the store once warm', async () => {
    const counting = new CountingReader(store);
    const cache = new TreeNodeCache(counting, { minLevel: 4 });
    for (let index = 0; index < SIZE; index += 16) await getInclusionProof(cache, index, SIZE, SIZE);
    counting.reset();
    await getInclusionProof(cache, 1235, SIZE, SIZE);
    // Every node above level 4 comes from memory, and so does the right-edge subtree narrower than 16 leaves that
    // every proof at this size shares (5000 = …1000 in binary: leaves 4992–4999).
    expect(counting.keysRead).toBeLessThanOrEqual(5);
    expect(cache.size).toBeGreaterThan(0);
  });

  it('once warmed from the store, reads nothing at or above its level, for any leaf', async () => {
    const counting = new CountingReader(store);
    const cache = new TreeNodeCache(counting, { minLevel: 4 });
    expect(await cache.warm(SIZE, readPage)).toBe(312 + 156 + 78 + 39 + 19 + 9 + 4 + 2 + 1); // ⌊5000 / 2^level⌋, levels 4…12
    expect(cache.level).toBe(4);
    for (const index of [0, 1235, 3071, 4990]) {
      counting.reset();
      const proof = await getInclusionProof(cache, index, SIZE, SIZE);
      expect(proof.ok).toBe(true);
      expect(counting.lastKeys.filter((k) => k.level >= 4)).toEqual([]);
    }
  });

  it('reads level by level, a page at a time, and loads every node of its levels', async () => {
    pagesRead.length = 0;
    const cache = new TreeNodeCache(store, { minLevel: 2 });
    // Levels 2…12 of 5,000 leaves: 1,250 + 625 + … + 1 nodes, in pages of at most 100.
    const expected = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].reduce((n, level) => n + Math.floor(SIZE / 2 ** level), 0);
    expect(await cache.warm(SIZE, readPage, 100)).toBe(expected);
    expect(pagesRead.filter((l) => l === 2).length).toBe(13); // 1,250 nodes: 12 full pages and a last short one
    expect(pagesRead[0]).toBe(12);
    const counting = new CountingReader(store);
    const warmed = new TreeNodeCache(counting, { minLevel: 2 });
    await warmed.warm(SIZE, readPage, 100);
    counting.reset();
    await getInclusionProof(warmed, 1235, SIZE, SIZE);
    expect(counting.lastKeys.filter((k) => k.level >= 2)).toEqual([]);
    pagesRead.length = 0;
    expect(await new TreeNodeCache(store).warm(0, readPage)).toBe(0); // the empty tree: nothing to read
    expect(pagesRead).toEqual([]);
  });

  it('starts higher when the levels would not fit, and drops its lowest level when growth passes maxNodes', async () => {
    // Levels ≥ 4 of 5,000 leaves are 620 nodes; levels ≥ 6 are 152.
    const small = new TreeNodeCache(store, { minLevel: 4, maxNodes: 200 });
    expect(await small.warm(SIZE, readPage)).toBe(78 + 39 + 19 + 9 + 4 + 2 + 1);
    expect(small.level).toBe(6);
    const growing = new TreeNodeCache(store, { minLevel: 4, maxNodes: 200 });
    for (let index = 0; index < SIZE; index += 5) await getInclusionProof(growing, index, SIZE, SIZE);
    expect(growing.level).toBeGreaterThan(4);
    expect(growing.size).toBeLessThanOrEqual(200 + 4096);
    const proof = await getInclusionProof(growing, 1234, SIZE, SIZE);
    expect(proof).toEqual(await getInclusionProof(store, 1234, SIZE, SIZE));
  });

  it('stays within maxNodes', async () => {
    const cache = new TreeNodeCache(store, { minLevel: 4, maxNodes: 100, maxLowNodes: 50 });
    for (let index = 0; index < SIZE; index += 3) await getInclusionProof(cache, index, SIZE, SIZE);
    expect(cache.size).toBeLessThanOrEqual(150);
  });
});

describe('the lowest levels of a proof, as the unit view reads them (custody-store.ts unitView)', () => {
  it.each([4, 8])('are the plain siblings (b, (index >> b) XOR 1), b < %i, whenever the leaf’s block of 2^%i leaves is complete', (low) => {
    for (const size of [256, 257, 511, 512, 1000, 4096, 5000, 65_537, 1_000_003]) {
      for (let k = 0; k < 300; k++) {
        const index = Math.floor((k * 7919 * 104_729) % size);
        if (((index >> low) + 1) << low > size) continue; // the SQL's test of a complete block
        const plan = planInclusionProof(index, size);
        if (!plan.ok) throw new Error(plan.message);
        // Nodes of the leaf's own block; the others below `low` are the right edge's, shared by all proofs.
        const own = plan.value.keys
          .filter((key) => key.level < low && key.index >> (low - key.level) === index >> low)
          .map((key) => `${key.level}:${key.index}`)
          .sort();
        const siblings = Array.from({ length: low }, (_, b) => `${b}:${(index >> b) ^ 1}`).sort();
        expect(own, `${index}/${size}`).toEqual(siblings);
      }
    }
  });
});
