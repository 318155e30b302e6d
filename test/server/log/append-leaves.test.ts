import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyRoot, rootFromLeafHashes } from '../../../schemas/signing/merkle.js';
import {
  appendLeaves,
  EMPTY_FRONTIER,
  frontierKeys,
  rootFromFrontier,
  type AppendedLeaves,
  type TreeFrontier,
} from '../../../server/log/append-leaves.js';
import { recoverFrontier } from '../../../server/log/proofs.js';
import type { TreeNode } from '../../../server/log/tree-nodes.js';
import { buildTree, sampleLeafHashes, SizeBoundReader } from './tree-fixtures.js';

const leaves = sampleLeafHashes(300);

/** Appends every leaf alone: the reference the batch tests compare with. */
function appendOneByOne(): { steps: AppendedLeaves[]; nodes: TreeNode[] } {
  const steps: AppendedLeaves[] = [];
  let frontier: TreeFrontier = EMPTY_FRONTIER;
  for (const leaf of leaves) {
    const step = appendLeaves(frontier, [leaf]);
    steps.push(step);
    frontier = step.frontier;
  }
  return { steps, nodes: steps.flatMap((step) => step.nodes) };
}

const oneByOne = appendOneByOne();

function popcount(n: number): number {
  return n.toString(2).split('').filter((bit) => bit === '1').length;
}

describe('appendLeaves', () => {
  describe('when leaves are appended one at a time to the empty tree', () => {
    it('returns MTH of the first n leaves (RFC 9162 §2.1.1) at every size 1..300', () => {
      oneByOne.steps.forEach((step, i) => {
        expect(step.frontier.size).toBe(i + 1);
        expect(step.root).toEqual(rootFromLeafHashes(leaves.slice(0, i + 1)));
        expect(rootFromFrontier(step.frontier)).toEqual(step.root);
      });
    });

    it('gives the empty tree the root SHA-256("")', () => {
      expect(rootFromFrontier(EMPTY_FRONTIER)).toEqual(emptyRoot());
      expect(appendLeaves(EMPTY_FRONTIER, [])).toEqual({ frontier: EMPTY_FRONTIER, nodes: [], root: emptyRoot() });
    });

    it('stores every complete subtree once, under its (level, index), with the hash of its leaves', () => {
      const { nodes } = oneByOne;
      expect(nodes).toHaveLength(2 * 300 - popcount(300));
      const ids = new Set(nodes.map((node) => `${node.level}:${node.index}`));
      expect(ids.size).toBe(nodes.length);
      for (const node of nodes) {
        const width = 2 ** node.level;
        expect((node.index + 1) * width).toBeLessThanOrEqual(300);
        expect(node.hash).toEqual(rootFromLeafHashes(leaves.slice(node.index * width, (node.index + 1) * width)));
      }
      for (let level = 0; 2 ** level <= 300; level++) {
        for (let index = 0; (index + 1) * 2 ** level <= 300; index++) expect(ids.has(`${level}:${index}`)).toBe(true);
      }
    });

    it('lists each node after the two it joins', () => {
      const seen = new Set<string>();
      for (const node of oneByOne.nodes) {
        if (node.level > 0) {
          expect(seen.has(`${node.level - 1}:${node.index * 2}`)).toBe(true);
          expect(seen.has(`${node.level - 1}:${node.index * 2 + 1}`)).toBe(true);
        }
        seen.add(`${node.level}:${node.index}`);
      }
    });

    it('keeps one frontier hash per set bit of the size, the stored nodes frontierKeys names', () => {
      const stored = new Map(oneByOne.nodes.map((node) => [`${node.level}:${node.index}`, node.hash]));
      for (const step of oneByOne.steps) {
        const keys = frontierKeys(step.frontier.size);
        expect(keys).toHaveLength(popcount(step.frontier.size));
        expect(step.frontier.hashes).toEqual(keys.map((key) => stored.get(`${key.level}:${key.index}`)));
      }
    });
  });

  describe('when leaves arrive in batches of random sizes', () => {
    it('produces the same nodes, in the same order, and the same frontiers and roots as one at a time', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 70 }), { minLength: 1, maxLength: 30 }), (batchSizes) => {
          let frontier: TreeFrontier = EMPTY_FRONTIER;
          const nodes: TreeNode[] = [];
          for (const batchSize of batchSizes) {
            const batch = leaves.slice(frontier.size, frontier.size + batchSize);
            const appended = appendLeaves(frontier, batch);
            nodes.push(...appended.nodes);
            frontier = appended.frontier;
            const reference = frontier.size === 0 ? undefined : oneByOne.steps[frontier.size - 1];
            expect(appended.root).toEqual(reference?.root ?? emptyRoot());
            expect(frontier).toEqual(reference?.frontier ?? EMPTY_FRONTIER);
          }
          const referenceCount = 2 * frontier.size - popcount(frontier.size);
          expect(nodes).toEqual(oneByOne.nodes.slice(0, referenceCount));
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('after a restart', () => {
    it('recovers the frontier at any size from the store and goes on to the same roots', async () => {
      const { store } = buildTree(leaves);
      for (let size = 0; size <= 300; size += size < 70 ? 1 : 23) {
        // A store that stopped at `size`, as after a crash.
        const frontier = await recoverFrontier(new SizeBoundReader(store, size), size);
        expect(frontier).toEqual(size === 0 ? EMPTY_FRONTIER : oneByOne.steps[size - 1]!.frontier);
        const rest = appendLeaves(frontier, leaves.slice(size, 130));
        if (size < 130) expect(rest.root).toEqual(oneByOne.steps[129]!.root);
        expect(rest.nodes).toEqual(
          oneByOne.nodes.slice(2 * size - popcount(size), 2 * Math.max(size, 130) - popcount(Math.max(size, 130))),
        );
      }
    });
  });

  describe('when the frontier does not match its size', () => {
    it('throws, since the frontier is server state and not input', () => {
      const frontier = oneByOne.steps[4]!.frontier; // size 5: two hashes
      expect(() => appendLeaves({ size: 7, hashes: frontier.hashes }, [leaves[7]!])).toThrow(RangeError);
      expect(() => appendLeaves({ size: 5, hashes: [...frontier.hashes, leaves[0]!] }, [])).toThrow(RangeError);
      expect(() => appendLeaves({ size: 1, hashes: [new Uint8Array(31)] }, [])).toThrow(RangeError);
      expect(() => appendLeaves({ size: -1, hashes: [] }, [])).toThrow(RangeError);
      expect(() => appendLeaves({ size: 0.5, hashes: [] }, [])).toThrow(RangeError);
    });

    it('throws on a leaf hash that is not 32 bytes', () => {
      expect(() => appendLeaves(EMPTY_FRONTIER, [leaves[0]!, new Uint8Array(33)])).toThrow(RangeError);
    });
  });
});
