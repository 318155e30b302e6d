import { describe, expect, it } from 'vitest';
import { consistencyProof, emptyRoot, rootFromLeafHashes, verifyConsistency } from '../../../schemas/signing/merkle.js';
import { planConsistencyProof } from '../../../server/log/plan-consistency-proof.js';
import { getConsistencyProof, getRootAt } from '../../../server/log/proofs.js';
import { buildTree, CountingReader, sampleLeafHashes, SizeBoundReader } from './tree-fixtures.js';

const TREE_SIZE = 130;
const leaves = sampleLeafHashes(TREE_SIZE);
const { store } = buildTree(leaves, 9);
const roots = Array.from({ length: TREE_SIZE + 1 }, (_, size) => rootFromLeafHashes(leaves.slice(0, size)));

describe('getConsistencyProof', () => {
  describe('for every 1 <= from <= to <= 130', () => {
    const title = 'reads one batch of at most 2·⌈log2 to⌉ nodes complete at `to`, verifies and equals the reference';
    it(title, { timeout: 180_000 }, async () => {
      for (let to = 1; to <= TREE_SIZE; to++) {
        const bounded = new SizeBoundReader(store, to);
        const reader = new CountingReader(bounded);
        const list = leaves.slice(0, to);
        for (let from = 1; from <= to; from++) {
          reader.reset();
          const proof = await getConsistencyProof(reader, from, to, TREE_SIZE);
          if (!proof.ok) throw new Error(`${from}→${to}: ${proof.code}`);
          expect(reader.calls).toBe(from === to ? 0 : 1);
          expect(reader.keysRead).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(to)));
          const verified = verifyConsistency({
            size1: from,
            size2: to,
            root1: roots[from]!,
            root2: roots[to]!,
            proof: proof.value.hashes,
          });
          if (!verified.ok) throw new Error(`${from}→${to}: ${verified.message}`);
          expect(proof.value.hashes).toEqual(consistencyProof(list, from));
        }
        expect(bounded.beyondSize).toEqual([]);
      }
    });
  });

  describe('when from equals to', () => {
    it('gives the empty proof without reading (RFC 9162 §2.1.4.1: SUBPROOF(m, D[m], true) = {})', async () => {
      for (const size of [0, 1, 2, 7, 64, TREE_SIZE]) {
        const reader = new CountingReader(store);
        expect(await getConsistencyProof(reader, size, size, TREE_SIZE)).toEqual({
          ok: true,
          value: { from: size, to: size, hashes: [] },
        });
        expect(reader.calls).toBe(0);
      }
    });
  });

  describe('when from is 0', () => {
    // The empty tree is consistent with every tree; C2SP tlog-witness: "If the old size is zero, the consistency
    // proof MUST be empty". schemas/signing's verifyConsistency (like transparency-dev/merkle) refuses size1 = 0
    // with a non-zero size2, so callers check from = 0 themselves, as a witness does.
    it('gives the empty proof without reading', async () => {
      const reader = new CountingReader(store);
      const proof = await getConsistencyProof(reader, 0, 77, TREE_SIZE);
      expect(proof).toEqual({ ok: true, value: { from: 0, to: 77, hashes: [] } });
      expect(reader.calls).toBe(0);
    });
  });

  describe('when from is larger than to', () => {
    it.each([
      [2, 1],
      [TREE_SIZE, 0],
      [TREE_SIZE, TREE_SIZE - 1],
    ])('refuses %s → %s with INVALID_RANGE', async (from, to) => {
      const proof = await getConsistencyProof(store, from, to, TREE_SIZE);
      expect(proof.ok || proof.code).toBe('INVALID_RANGE');
    });
  });

  describe('when a size is larger than the log or not a size', () => {
    it.each([
      [1, TREE_SIZE + 1],
      [TREE_SIZE + 2, TREE_SIZE + 1],
      [-1, 5],
      [1.5, 5],
      [1, Number.NaN],
      [Number.NaN, 5],
      [1, Infinity],
    ])('refuses %s → %s with SIZE_OUT_OF_RANGE, reading nothing', async (from, to) => {
      const reader = new CountingReader(store);
      const proof = await getConsistencyProof(reader, from, to, TREE_SIZE);
      expect(proof.ok || proof.code).toBe('SIZE_OUT_OF_RANGE');
      expect(reader.calls).toBe(0);
    });
  });
});

describe('planConsistencyProof', () => {
  it('ends with the old root only when the old tree is not a complete subtree of the new one', () => {
    // RFC 6962 §2.1.3's examples: 3 → 7 is [2:3] [3:4] [0:2] [4:7]; 4 → 7 is [4:7]; 6 → 7 is [4:6] [6:7] [0:4].
    const hashesOf = (from: number, to: number) => {
      const plan = planConsistencyProof(from, to);
      return plan.ok ? plan.value.hashes : plan.code;
    };
    expect(hashesOf(3, 7)).toEqual([
      [{ level: 0, index: 2 }],
      [{ level: 0, index: 3 }],
      [{ level: 1, index: 0 }],
      [
        { level: 1, index: 2 },
        { level: 0, index: 6 },
      ],
    ]);
    expect(hashesOf(4, 7)).toEqual([
      [
        { level: 1, index: 2 },
        { level: 0, index: 6 },
      ],
    ]);
    expect(hashesOf(6, 7)).toEqual([[{ level: 1, index: 2 }], [{ level: 0, index: 6 }], [{ level: 2, index: 0 }]]);
  });

  it('needs at most 2·⌈log2 to⌉ keys, all complete at `to`, at sizes up to 2^53 - 1', () => {
    for (const to of [1_000_000, 2 ** 32 + 12_345, 2 ** 40 - 1, Number.MAX_SAFE_INTEGER]) {
      for (const from of [1, 2, Math.floor(to / 3), to - 2, to - 1]) {
        const plan = planConsistencyProof(from, to);
        if (!plan.ok) throw new Error(plan.message);
        expect(plan.value.keys.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(to)));
        for (const key of plan.value.keys) expect((key.index + 1) * 2 ** key.level).toBeLessThanOrEqual(to);
      }
    }
  });
});

describe('getRootAt', () => {
  it('gives MTH of the first n leaves at every size 0..130 from one read of at most ⌊log2 n⌋ + 1 nodes', async () => {
    for (let size = 0; size <= TREE_SIZE; size++) {
      const reader = new CountingReader(new SizeBoundReader(store, size));
      expect(await getRootAt(reader, size, TREE_SIZE)).toEqual({ ok: true, value: roots[size] });
      expect(reader.calls).toBe(size === 0 ? 0 : 1);
      expect(reader.keysRead).toBeLessThanOrEqual(size === 0 ? 0 : Math.floor(Math.log2(size)) + 1);
    }
    expect(roots[0]).toEqual(emptyRoot());
  });

  it.each([[TREE_SIZE + 1], [-1], [0.5], [Number.NaN]])('refuses size %s with SIZE_OUT_OF_RANGE', async (size) => {
    const root = await getRootAt(store, size, TREE_SIZE);
    expect(root.ok || root.code).toBe('SIZE_OUT_OF_RANGE');
  });
});
