// Consistency proof between two checkpointed tree sizes (RFC 9162 §2.1.4): what witnesses check before cosigning.
import { getConsistencyProof, type ConsistencyProof } from '../log/proofs.js';
import type { LedgerStore } from './ports.js';
import type { CheckpointCache } from './checkpoint-cache.js';
import { PedigreeError } from './pedigree-error.js';
import { provableSize } from './prove-inclusion.js';

export async function proveConsistency(store: LedgerStore, from: number, to: number, checkpoints?: CheckpointCache): Promise<ConsistencyProof> {
  const r = await getConsistencyProof(store, from, to, await provableSize(store, checkpoints, to));
  if (!r.ok) throw new PedigreeError(r.code, r.message);
  return r.value;
}
