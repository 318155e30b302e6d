// Test fixtures for server/log: leaf hashes, stores built by appending, and readers that count or bound reads.
import { createHash } from 'node:crypto';
import { leafHash } from '../../../schemas/signing/merkle.js';
import { appendLeaves, EMPTY_FRONTIER, type TreeFrontier } from '../../../server/log/append-leaves.js';
import { MemoryTreeNodeStore, nodeId, type NodeKey, type NodeMap, type TreeNodeReader } from '../../../server/log/tree-nodes.js';

/** RFC 6962 leaf hashes of small distinct entries (the entry is the index as 4 big-endian bytes). */
export function sampleLeafHashes(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    leafHash(Uint8Array.of(i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255)),
  );
}

/**
 * Fast stand-ins for leaf hashes at large sizes: SHA-256 of the decimal index via node:crypto (any 32 bytes do
 * for the tree; only node hashes must come from schemas/signing).
 */
export function fastLeafHash(index: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(String(index)).digest());
}

export interface BuiltTree {
  readonly store: MemoryTreeNodeStore;
  readonly frontier: TreeFrontier;
  /** Root after each batch, by size. */
  readonly roots: ReadonlyMap<number, Uint8Array>;
}

/** Appends the leaves in batches of `batchSize` into a fresh store, keeping each batch's root. */
export function buildTree(leafHashes: readonly Uint8Array[], batchSize = leafHashes.length || 1): BuiltTree {
  const store = new MemoryTreeNodeStore();
  const roots = new Map<number, Uint8Array>();
  let frontier = EMPTY_FRONTIER;
  for (let start = 0; start < leafHashes.length; start += batchSize) {
    const appended = appendLeaves(frontier, leafHashes.slice(start, start + batchSize));
    store.putNodes(appended.nodes);
    roots.set(appended.frontier.size, appended.root);
    frontier = appended.frontier;
  }
  return { store, frontier, roots };
}

/** Counts `getNodes` calls and the keys they asked for. */
export class CountingReader implements TreeNodeReader {
  calls = 0;
  keysRead = 0;
  lastKeys: readonly NodeKey[] = [];

  constructor(private readonly inner: TreeNodeReader) {}

  getNodes(keys: readonly NodeKey[]): Promise<NodeMap> {
    this.calls++;
    this.keysRead += keys.length;
    this.lastKeys = keys;
    return this.inner.getNodes(keys);
  }

  reset(): void {
    this.calls = 0;
    this.keysRead = 0;
    this.lastKeys = [];
  }
}

/**
 * Serves only the nodes that exist in a tree of `size` leaves ((index + 1)·2^level <= size), like a store that
 * stopped at that size; records any key asked for beyond it, so a test can prove that planning never needs one.
 */
export class SizeBoundReader implements TreeNodeReader {
  readonly beyondSize: string[] = [];

  constructor(
    private readonly inner: TreeNodeReader,
    private readonly size: number,
  ) {}

  async getNodes(keys: readonly NodeKey[]): Promise<NodeMap> {
    const inside = keys.filter((key) => (key.index + 1) * 2 ** key.level <= this.size);
    for (const key of keys) if (!inside.includes(key)) this.beyondSize.push(nodeId(key));
    return this.inner.getNodes(inside);
  }
}
