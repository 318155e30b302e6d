// The log's stored subtree hashes: the (level, index) key scheme, the one-batch read port, an in-memory store.
//
// Node (level k, index i) is the RFC 9162 §2.1.1 hash MTH(D[i·2^k : (i+1)·2^k]) of a COMPLETE subtree: level 0
// holds the leaf hashes, and node (k, i) exists in a tree of size n exactly when (i+1)·2^k <= n. Such a node never
// changes once the tree reaches that size (the log is append-only), so stored nodes are immutable rows. Subtrees on
// the right edge that are not complete are never stored: they are folded from the complete ones at read time.
// A tree of size n holds 2n - popcount(n) nodes (n leaves, n - popcount(n) inner nodes).
import { bytesEqual } from '../../schemas/signing/encoding.js';
import { HASH_SIZE } from '../../schemas/signing/merkle.js';
import { TreeNodeMissingError } from './log-errors.js';

/** Position of a complete subtree: `level` = log2 of its width, `index` = its offset in units of that width. */
export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

/** A complete subtree and its hash (32 bytes); same shape as the DB row (`tree_nodes`: level, idx, hash). */
export interface TreeNode extends NodeKey {
  readonly hash: Uint8Array;
}

/** A node's name in messages: `${level}:${index}`, e.g. `0:41` for leaf 41, `3:2` for leaves [16, 24). */
export function nodeId(key: NodeKey): string {
  return `${key.level}:${key.index}`;
}

/**
 * The map key `getNodes` results use: index · 64 + level, exact for every index below 2^47. A number, not nodeId's
 * string: every verification's proof looked ≈ 75 string keys up, each built and hashed anew.
 */
export function nodeKey(key: NodeKey): number {
  return key.index * 64 + key.level;
}

/** Nodes by `nodeKey`, as `getNodes` returns them. */
export type NodeMap = ReadonlyMap<number, Uint8Array>;

/**
 * What the log needs from the node store: one batched read per proof, checkpoint root or frontier recovery.
 * Implementations return the nodes they hold among `keys` (order free, duplicates allowed in `keys`) and simply leave
 * out the ones they do not hold; the caller decides whether a missing node is an error.
 */
export interface TreeNodeReader {
  getNodes(keys: readonly NodeKey[]): Promise<NodeMap>;
}

/**
 * The hashes of `keys`, in order, from a `getNodes` result. Throws `TreeNodeMissingError` naming every node that is
 * absent or not 32 bytes: callers only ask for nodes of sizes the log has reached, so that means a damaged store.
 */
export function requireNodes(found: NodeMap, keys: readonly NodeKey[]): Uint8Array[] {
  const hashes: Uint8Array[] = [];
  const missing: string[] = [];
  for (const key of keys) {
    const hash = found.get(nodeKey(key));
    if (hash === undefined || hash.length !== HASH_SIZE) missing.push(nodeId(key));
    else hashes.push(hash);
  }
  if (missing.length > 0) throw new TreeNodeMissingError(missing);
  return hashes;
}

/**
 * In-memory node store for tests and the in-memory ledger adapter. `putNodes` copies what it is given; `getNodes`
 * returns views into the store's own buffers (callers must not mutate them). Nodes are immutable: writing a node
 * again with the same hash is a no-op, with a different hash it throws, because that can only be an appender bug.
 */
export class MemoryTreeNodeStore implements TreeNodeReader {
  // Per level, chunks of CHUNK_NODES 32-byte slots, a slot of zeros being an empty one: 32 bytes a node, where one
  // Uint8Array per node costs ~240 (≈ 320 MB instead of ≈ 2.4 GB for a 5,000,000-leaf tree). A lookup touches the
  // slot's own bytes only (a separate presence array cost a second cache miss on every lookup of a large tree). A
  // hash of 32 zero bytes (probability 2^-256) reads as absent: its reader goes to the store, as for any node not held.
  // A chunk is allocated as small as its highest slot allows and grows by doubling, so a small tree takes little memory.
  readonly #levels: { chunks: Uint8Array[]; count: number }[] = [];
  #count = 0;

  /** How many nodes the store holds. */
  get nodeCount(): number {
    return this.#count;
  }

  /** Forgets every node of one level (a cache making room: tree-node-cache.ts). */
  dropLevel(level: number): void {
    const l = this.#levels[level];
    if (l === undefined) return;
    this.#count -= l.count;
    this.#levels[level] = { chunks: [], count: 0 };
  }

  putNodes(nodes: readonly TreeNode[]): void {
    for (const node of nodes) {
      if (!Number.isSafeInteger(node.level) || node.level < 0 || !Number.isSafeInteger(node.index) || node.index < 0) {
        throw new RangeError(`invalid tree node key ${nodeId(node)}`);
      }
      if (node.hash.length !== HASH_SIZE) {
        throw new RangeError(`tree node ${nodeId(node)} hash is ${node.hash.length} bytes, expected ${HASH_SIZE}`);
      }
      const existing = this.#get(node);
      if (existing !== undefined) {
        if (!bytesEqual(existing, node.hash)) {
          throw new Error(`tree node ${nodeId(node)} already stored with a different hash: nodes are immutable`);
        }
        continue;
      }
      if (isZero(node.hash, 0)) continue; // reads as absent anyway (see above)
      while (this.#levels.length <= node.level) this.#levels.push({ chunks: [], count: 0 });
      const level = this.#levels[node.level]!;
      const chunk = Math.floor(node.index / CHUNK_NODES);
      const slot = node.index - chunk * CHUNK_NODES;
      let bytes = level.chunks[chunk];
      if (bytes === undefined || bytes.length <= slot * HASH_SIZE) {
        let nodesHeld = bytes === undefined ? 1 : bytes.length / HASH_SIZE;
        while (nodesHeld <= slot) nodesHeld *= 2;
        const grown = new Uint8Array(Math.min(CHUNK_NODES, nodesHeld) * HASH_SIZE);
        if (bytes !== undefined) grown.set(bytes);
        // Holes before `chunk` stay undefined: `#get` reads them as absent.
        level.chunks[chunk] = bytes = grown;
      }
      bytes.set(node.hash, slot * HASH_SIZE);
      level.count++;
      this.#count++;
    }
  }

  getNodes(keys: readonly NodeKey[]): Promise<NodeMap> {
    const found = new Map<number, Uint8Array>();
    for (const key of keys) {
      const hash = this.#get(key);
      if (hash !== undefined) found.set(nodeKey(key), hash);
    }
    return Promise.resolve(found);
  }

  /** The hash of one node, or undefined when the store does not hold it (synchronous: a cache in front reads it). */
  hashOf(key: NodeKey): Uint8Array | undefined {
    return this.#get(key);
  }

  #get(key: NodeKey): Uint8Array | undefined {
    const level = this.#levels[key.level];
    if (level === undefined) return undefined;
    const chunk = Math.floor(key.index / CHUNK_NODES);
    const bytes = level.chunks[chunk];
    const at = (key.index - chunk * CHUNK_NODES) * HASH_SIZE;
    if (bytes === undefined || at >= bytes.length || isZero(bytes, at)) return undefined;
    return bytes.subarray(at, at + HASH_SIZE);
  }
}

/** Whether the 32 bytes at `at` are all zero: an empty slot. */
function isZero(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + HASH_SIZE; i++) if (bytes[i] !== 0) return false;
  return true;
}

const CHUNK_NODES = 4096;
