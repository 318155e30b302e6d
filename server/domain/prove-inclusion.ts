// Inclusion proof of an entry against a checkpointed tree size (RFC 9162 §2.1.3), O(log n) stored-node reads.
import { getInclusionProof, type InclusionProof } from '../log/proofs.js';
import type { LedgerStore } from './ports.js';
import type { CheckpointCache } from './checkpoint-cache.js';
import { PedigreeError } from './pedigree-error.js';

/** The size proofs are served against: the latest signed checkpoint's, so a client can always check the root. */
export async function provableSize(store: LedgerStore, checkpoints?: CheckpointCache, atLeast = 0): Promise<number> {
  // A size beyond the cached checkpoint makes the cache read the store again (another process may have signed it).
  return (checkpoints ? await checkpoints.get(atLeast) : await store.latestCheckpoint())?.size ?? 0;
}

export async function proveInclusion(store: LedgerStore, index: number, size?: number, checkpoints?: CheckpointCache): Promise<InclusionProof> {
  const treeSize = await provableSize(store, checkpoints, Math.max(size ?? 0, index + 1));
  const r = await getInclusionProof(store, index, size ?? treeSize, treeSize);
  if (!r.ok) throw new PedigreeError(r.code, r.message);
  return r.value;
}
