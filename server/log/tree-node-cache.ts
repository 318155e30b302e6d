// An in-memory cache of the upper levels of the log's Merkle tree in front of a TreeNodeReader. Every inclusion or
// consistency proof at size n reads O(log n) stored nodes, and the upper ones are shared by all proofs, so they are
// served from memory; only the few lowest levels (different for every leaf) are read from the store. Stored nodes
// are complete subtrees and never change (tree-nodes.ts), so a cached node is never stale, in this process or any
// other sharing the store: nothing to invalidate. Lower nodes that still reach the store (the small complete
// subtrees on the right edge of a checkpoint's tree, shared by every proof at that size) go to a small second map.
import { nodeId, type NodeKey, type TreeNodeReader } from './tree-nodes.js';

export interface TreeNodeCacheOptions {
  /** Lowest level kept in memory (default 8: one node per 256 leaves, ~8 MB for 5 million entries). */
  readonly minLevel?: number;
  /** Most nodes kept; past it the cache starts over (default 250,000). */
  readonly maxNodes?: number;
  /** Most nodes below minLevel kept (default 4,096). */
  readonly maxLowNodes?: number;
}

export class TreeNodeCache implements TreeNodeReader {
  readonly #inner: TreeNodeReader;
  readonly #minLevel: number;
  readonly #maxNodes: number;
  readonly #maxLowNodes: number;
  readonly #nodes = new Map<string, Uint8Array>();
  readonly #low = new Map<string, Uint8Array>();

  constructor(inner: TreeNodeReader, options: TreeNodeCacheOptions = {}) {
    this.#inner = inner;
    this.#minLevel = options.minLevel ?? 8;
    this.#maxNodes = options.maxNodes ?? 250_000;
    this.#maxLowNodes = options.maxLowNodes ?? 4_096;
  }

  get size(): number {
    return this.#nodes.size + this.#low.size;
  }

  /** Records nodes known to be stored (an append just committed them, or a read returned them). */
  remember(nodes: Iterable<NodeKey & { readonly hash: Uint8Array }>): void {
    for (const n of nodes) if (n.level >= this.#minLevel) this.#put(nodeId(n), n.hash);
  }

  #put(id: string, hash: Uint8Array, low = false): void {
    const map = low ? this.#low : this.#nodes;
    if (map.size >= (low ? this.#maxLowNodes : this.#maxNodes) && !map.has(id)) map.clear();
    map.set(id, hash);
  }

  async getNodes(keys: readonly NodeKey[]): Promise<ReadonlyMap<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    const missing: NodeKey[] = [];
    for (const k of keys) {
      const id = nodeId(k);
      const hit = k.level >= this.#minLevel ? this.#nodes.get(id) : this.#low.get(id);
      if (hit) found.set(id, hit);
      else missing.push(k);
    }
    if (missing.length === 0) return found;
    const read = await this.#inner.getNodes(missing);
    for (const [id, hash] of read) {
      found.set(id, hash);
      const level = Number(id.slice(0, id.indexOf(':')));
      this.#put(id, hash, level < this.#minLevel);
    }
    return found;
  }
}
