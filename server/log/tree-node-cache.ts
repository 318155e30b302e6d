// An in-memory cache of the log's Merkle tree in front of a TreeNodeReader. Every inclusion or consistency proof at
// size n reads O(log n) stored nodes; the upper ones are shared by many proofs, and the lowest are different for
// every leaf. Stored nodes are complete subtrees and never change (tree-nodes.ts), so a cached node is never stale,
// in this process or any other sharing the store: nothing to invalidate. Nodes are kept compactly (32 bytes each,
// MemoryTreeNodeStore, outside V8's heap), so the cache holds the whole tree while it fits in `maxNodes`: a
// 5,000,000-entry log is ≈ 10,000,000 nodes, ≈ 320 MB, and then a verification's proof reads nothing from the store
// (each level kept spares every verification an index probe in PostgreSQL: ≈ 8 µs of ≈ 110 a unit; bench/RESULTS.md,
// sessions 11 and 12). When a growing log passes `maxNodes`, the lowest cached level is dropped and `level` rises
// by one; the unit view then reads the levels below `level` together with the unit (custody-store.ts). Lower nodes
// that still reach the store (the small complete subtrees on the right edge of a checkpoint's tree, shared by every
// proof at that size) go to a small second map.
import { HASH_SIZE } from '../../schemas/signing/merkle.js';
import { bitLength } from './subtree-ranges.js';
import { MemoryTreeNodeStore, nodeKey, type NodeKey, type NodeMap, type TreeNode, type TreeNodeReader } from './tree-nodes.js';

/** Up to `limit` stored nodes of one level, by index from `fromIndex` up (TreeNodeCache.warm). */
export type ReadLevelPage = (level: number, fromIndex: number, limit: number) => Promise<readonly TreeNode[]>;

export interface TreeNodeCacheOptions {
  /** Lowest level ever kept in memory (default 0: the leaves). */
  readonly minLevel?: number;
  /** Most nodes kept at and above `level` (default 12,000,000 ≈ 400 MB); past it the lowest level is dropped. */
  readonly maxNodes?: number;
  /** Most nodes below `level` kept (default 4,096). */
  readonly maxLowNodes?: number;
}

export class TreeNodeCache implements TreeNodeReader {
  readonly #inner: TreeNodeReader;
  readonly #maxNodes: number;
  readonly #maxLowNodes: number;
  readonly #upper = new MemoryTreeNodeStore();
  readonly #low = new Map<number, Uint8Array>();
  #level: number;

  constructor(inner: TreeNodeReader, options: TreeNodeCacheOptions = {}) {
    this.#inner = inner;
    this.#level = options.minLevel ?? 0;
    this.#maxNodes = options.maxNodes ?? 12_000_000;
    this.#maxLowNodes = options.maxLowNodes ?? 4_096;
  }

  /** Lowest level served from memory: proofs read only the levels below it from the store. */
  get level(): number {
    return this.#level;
  }

  get size(): number {
    return this.#upper.nodeCount + this.#low.size;
  }

  /** Records nodes known to be stored (an append just committed them, or a read returned them). */
  remember(nodes: Iterable<TreeNode>): void {
    const keep: TreeNode[] = [];
    // A damaged hash (not 32 bytes) is left to requireNodes to report, never cached.
    for (const n of nodes) if (n.level >= this.#level && n.hash.length === HASH_SIZE) keep.push(n);
    this.#upper.putNodes(keep);
    while (this.#upper.nodeCount > this.#maxNodes) this.#upper.dropLevel(this.#level++);
  }

  /**
   * Loads the cached levels of a tree of `size` leaves (start-up: without it every proof of a large log misses on
   * its own upper path until many thousands of proofs have warmed the cache, one store read each). First raises
   * `level` until those levels fit in `maxNodes` (level k and up hold ≈ 2·size / 2^k nodes), then reads them level
   * by level, highest first, `pageSize` nodes a read, so that no read holds millions of rows at once. Returns the
   * number of nodes loaded.
   */
  async warm(size: number, readPage: ReadLevelPage, pageSize = 65_536): Promise<number> {
    while ((2 * size) / 2 ** this.#level > this.#maxNodes) this.#level++;
    let loaded = 0;
    // The highest stored level is that of the largest complete subtree, 2^top ≤ size (none for the empty tree).
    for (let level = bitLength(size) - 1; level >= this.#level; level--) {
      for (let from = 0; ; ) {
        const page = await readPage(level, from, pageSize);
        this.remember(page);
        loaded += page.length;
        if (page.length < pageSize) break;
        from = page[page.length - 1]!.index + 1;
      }
    }
    return loaded;
  }

  async getNodes(keys: readonly NodeKey[]): Promise<NodeMap> {
    // Every verification asks for a proof's ≈ 23 nodes: one map, each key looked up once (was two maps, ids twice).
    const found = new Map<number, Uint8Array>();
    const missing: NodeKey[] = [];
    for (const k of keys) {
      const id = nodeKey(k);
      const hit = k.level >= this.#level ? this.#upper.hashOf(k) : this.#low.get(id);
      if (hit) found.set(id, hit);
      else missing.push(k);
    }
    if (missing.length === 0) return found;
    const read = await this.#inner.getNodes(missing);
    const upper: TreeNode[] = [];
    for (const k of missing) {
      const id = nodeKey(k);
      const hash = read.get(id);
      if (hash === undefined) continue;
      found.set(id, hash);
      if (k.level >= this.#level) upper.push({ ...k, hash });
      else {
        if (this.#low.size >= this.#maxLowNodes && !this.#low.has(id)) this.#low.clear();
        this.#low.set(id, hash);
      }
    }
    this.remember(upper);
    return found;
  }
}
