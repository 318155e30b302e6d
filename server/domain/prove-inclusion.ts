// Inclusion proof of an entry against a checkpointed tree size (RFC 9162 §2.1.3), O(log n) stored-node reads.
import { getInclusionProof, type InclusionProof } from '../log/proofs.js';
import type { LedgerStore } from './ports.js';
import { PedigreeError } from './pedigree-error.js';

/** The size proofs are served against: the latest signed checkpoint's, so a client can always check the root. */
export async function provableSize(store: LedgerStore): Promise<number> {
  return (await store.latestCheckpoint())?.size ?? 0;
}

export async function proveInclusion(store: LedgerStore, index: number, size?: number): Promise<InclusionProof> {
  const treeSize = await provableSize(store);
  const r = await getInclusionProof(store, index, size ?? treeSize, treeSize);
  if (!r.ok) throw new PedigreeError(r.code, r.message);
  return r.value;
}
