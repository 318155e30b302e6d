// The in-memory cache of the tree's upper levels (tree-node-cache.ts): proofs through it equal proofs from the store,
// and once warm the shared upper levels are no longer read from the store.
import { describe, expect, it } from 'vitest';
import { rootFromLeafHashes, verifyInclusion } from '../../../schemas/signing/merkle.js';
import { getInclusionProof } from '../../../server/log/proofs.js';
import { planInclusionProof } from '../../../server/log/plan-inclusion-proof.js';
import { TreeNodeCache } from '../../../server/log/tree-node-cache.js';
import { buildTree, CountingReader, sampleLeafHashes } from './tree-fixtures.js';

const SIZE = 5000;
const leaves = sampleLeafHashes(SIZE);
const { store } = buildTree(leaves, 17);
const root = rootFromLeafHashes(leaves);

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

  it('stays within maxNodes', async () => {
    const cache = new TreeNodeCache(store, { minLevel: 4, maxNodes: 100, maxLowNodes: 50 });
    for (let index = 0; index < SIZE; index += 3) await getInclusionProof(cache, index, SIZE, SIZE);
    expect(cache.size).toBeLessThanOrEqual(150);
  });
});

describe('the lowest levels of a proof, as the unit view reads them (custody-store.ts unitView)', () => {
  it('are the plain siblings (b, (index >> b) XOR 1), b < 8, whenever the leaf’s 256-leaf block is complete', () => {
    for (const size of [256, 257, 511, 512, 1000, 4096, 5000, 65_537, 1_000_003]) {
      for (let k = 0; k < 300; k++) {
        const index = Math.floor((k * 7919 * 104_729) % size);
        if ((index | 255) >= size) continue;
        const plan = planInclusionProof(index, size);
        if (!plan.ok) throw new Error(plan.message);
        // Nodes of the leaf's own block; the others below level 8 are the right edge's, shared by all proofs.
        const low = plan.value.keys
          .filter((key) => key.level < 8 && key.index >> (8 - key.level) === index >> 8)
          .map((key) => `${key.level}:${key.index}`)
          .sort();
        const siblings = Array.from({ length: 8 }, (_, b) => `${b}:${(index >> b) ^ 1}`).sort();
        expect(low, `${index}/${size}`).toEqual(siblings);
      }
    }
  });
});
