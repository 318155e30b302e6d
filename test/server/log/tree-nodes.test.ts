import { describe, expect, it } from 'vitest';
import { frontierKeys } from '../../../server/log/append-leaves.js';
import { TreeNodeMissingError } from '../../../server/log/log-errors.js';
import { bitLength, largestPowerOfTwoBelow, subtreeKeys } from '../../../server/log/subtree-ranges.js';
import { MemoryTreeNodeStore, nodeId, nodeKey, requireNodes } from '../../../server/log/tree-nodes.js';
import { sampleLeafHashes } from './tree-fixtures.js';

const [a, b, c] = sampleLeafHashes(3) as [Uint8Array, Uint8Array, Uint8Array];

describe('node keys', () => {
  it('are written `${level}:${index}` in messages, and are one distinct number each in maps', () => {
    expect(nodeId({ level: 0, index: 41 })).toBe('0:41');
    expect(nodeId({ level: 3, index: 2 })).toBe('3:2');
    // The map key: one number per node, distinct for every level and index a log can reach (index < 2^47).
    const keys = [
      { level: 0, index: 0 },
      { level: 63, index: 0 },
      { level: 0, index: 1 },
      { level: 1, index: 0 },
      { level: 0, index: 2 ** 47 - 1 },
      { level: 63, index: 2 ** 47 - 1 },
      { level: 40, index: 0 },
    ].map(nodeKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(Number.isSafeInteger(k)).toBe(true);
  });
});

describe('MemoryTreeNodeStore', () => {
  it('returns the nodes it holds among the keys asked for, and leaves out the others', async () => {
    const store = new MemoryTreeNodeStore();
    store.putNodes([
      { level: 0, index: 0, hash: a },
      { level: 0, index: 1, hash: b },
      { level: 1, index: 0, hash: c },
    ]);
    const found = await store.getNodes([
      { level: 1, index: 0 },
      { level: 0, index: 1 },
      { level: 0, index: 2 },
      { level: 7, index: 0 },
    ]);
    expect(found).toEqual(
      new Map([
        [nodeKey({ level: 1, index: 0 }), c],
        [nodeKey({ level: 0, index: 1 }), b],
      ]),
    );
    expect(store.nodeCount).toBe(3);
  });

  it('keeps a copy, so later changes to the caller’s array do not reach the store', async () => {
    const store = new MemoryTreeNodeStore();
    const hash = a.slice();
    store.putNodes([{ level: 0, index: 0, hash }]);
    hash.fill(0);
    expect((await store.getNodes([{ level: 0, index: 0 }])).get(nodeKey({ level: 0, index: 0 }))).toEqual(a);
  });

  it('keeps every hash as a level grows past its first chunks, with holes between them read as absent', async () => {
    const store = new MemoryTreeNodeStore();
    const indexes = [0, 1, 7, 4095, 4096, 4097, 9000, 1_000_003];
    const hashOf = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7 + 1) % 256);
    // Written out of order, so a chunk grows after later slots were filled.
    for (const i of [...indexes].reverse()) store.putNodes([{ level: 3, index: i, hash: hashOf(i) }]);
    const asked = [...indexes, 2, 4094, 8192, 999_999, 2_000_000].map((index) => ({ level: 3, index }));
    const found = await store.getNodes(asked);
    expect([...found.keys()].sort((x, y) => x - y)).toEqual(indexes.map((index) => nodeKey({ level: 3, index })).sort((x, y) => x - y));
    for (const i of indexes) expect(found.get(nodeKey({ level: 3, index: i }))).toEqual(hashOf(i));
    expect(store.nodeCount).toBe(indexes.length);
  });

  it('reads a hash of 32 zero bytes as absent (an empty slot), so a cache in front asks its store for it', async () => {
    const store = new MemoryTreeNodeStore();
    store.putNodes([{ level: 0, index: 3, hash: new Uint8Array(32) }]);
    expect(store.nodeCount).toBe(0);
    expect(store.hashOf({ level: 0, index: 3 })).toBeUndefined();
    expect((await store.getNodes([{ level: 0, index: 3 }])).size).toBe(0);
  });

  describe('when a node is written again', () => {
    it('ignores the same hash', () => {
      const store = new MemoryTreeNodeStore();
      store.putNodes([{ level: 2, index: 5, hash: a }]);
      store.putNodes([{ level: 2, index: 5, hash: a.slice() }]);
      expect(store.nodeCount).toBe(1);
    });

    it('throws on a different hash: stored nodes are immutable', () => {
      const store = new MemoryTreeNodeStore();
      store.putNodes([{ level: 2, index: 5, hash: a }]);
      expect(() => store.putNodes([{ level: 2, index: 5, hash: b }])).toThrow(/immutable/);
    });
  });

  it('refuses hashes that are not 32 bytes and keys that are not non-negative integers', () => {
    const store = new MemoryTreeNodeStore();
    expect(() => store.putNodes([{ level: 0, index: 0, hash: new Uint8Array(31) }])).toThrow(RangeError);
    expect(() => store.putNodes([{ level: -1, index: 0, hash: a }])).toThrow(RangeError);
    expect(() => store.putNodes([{ level: 0, index: 0.5, hash: a }])).toThrow(RangeError);
  });
});

describe('requireNodes', () => {
  it('returns the hashes in key order, or throws TreeNodeMissingError naming every absent node', () => {
    const found = new Map([
      [nodeKey({ level: 0, index: 0 }), a],
      [nodeKey({ level: 1, index: 1 }), b],
    ]);
    expect(
      requireNodes(found, [
        { level: 1, index: 1 },
        { level: 0, index: 0 },
      ]),
    ).toEqual([b, a]);
    const keys = [
      { level: 0, index: 0 },
      { level: 0, index: 9 },
      { level: 4, index: 0 },
    ];
    expect(() => requireNodes(found, keys)).toThrow(
      expect.objectContaining({ code: 'TREE_NODE_MISSING', missing: ['0:9', '4:0'] }),
    );
    const short = new Map([[nodeKey({ level: 0, index: 0 }), new Uint8Array(5)]]);
    expect(() => requireNodes(short, [{ level: 0, index: 0 }])).toThrow(TreeNodeMissingError);
  });
});

describe('subtree ranges', () => {
  it('measures bit lengths beyond 32 bits', () => {
    expect([0, 1, 2, 3, 4, 255, 256].map(bitLength)).toEqual([0, 1, 2, 2, 3, 8, 9]);
    expect(bitLength(2 ** 32 - 1)).toBe(32);
    expect(bitLength(2 ** 32)).toBe(33);
    expect(bitLength(2 ** 40 + 5)).toBe(41);
    expect(bitLength(Number.MAX_SAFE_INTEGER)).toBe(53);
  });

  it('splits at the largest power of two strictly below n (RFC 9162 §2.1.1)', () => {
    expect([2, 3, 4, 5, 8, 9, 1_000_000].map(largestPowerOfTwoBelow)).toEqual([1, 2, 2, 4, 4, 8, 524_288]);
    expect(largestPowerOfTwoBelow(2 ** 33 + 1)).toBe(2 ** 33);
    expect(largestPowerOfTwoBelow(2 ** 33)).toBe(2 ** 32);
  });

  it('covers [0, n) with one complete subtree per set bit of n, widest first', () => {
    expect(frontierKeys(0)).toEqual([]);
    expect(frontierKeys(13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    const million = ['19:0', '18:2', '17:6', '16:14', '14:60', '9:1952', '6:15624'];
    expect(frontierKeys(1_000_000).map(nodeId)).toEqual(million);
    expect(frontierKeys(2 ** 40 + 3).map(nodeId)).toEqual(['40:0', '1:549755813888', '0:1099511627778']);
  });

  it('covers a right-edge range [start, end) from its aligned start', () => {
    expect(subtreeKeys(8, 13).map(nodeId)).toEqual(['2:2', '0:12']);
    expect(subtreeKeys(12, 13).map(nodeId)).toEqual(['0:12']);
  });

  it('refuses a range whose start is not aligned to its width (its fold would not be an RFC 9162 MTH)', () => {
    expect(() => subtreeKeys(2, 5)).toThrow(RangeError);
    expect(() => subtreeKeys(2, 6)).toThrow(RangeError);
    expect(subtreeKeys(4, 8).map(nodeId)).toEqual(['2:1']);
  });
});
