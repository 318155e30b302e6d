// Appends a batch of checked envelopes to the log in one transaction (DESIGN.md §§3, 5): idempotent by (device, seq)
// and by eventID, contiguous indexes, stored subtree hashes, per-unit chain links, one signed checkpoint per batch.
import type { RejectionCode } from '../../schemas/codes.js';
import { leafHash } from '../log/merkle-hashes.js';
import { appendLeaves, type TreeFrontier } from '../log/append-leaves.js';
import { recoverFrontier } from '../log/proofs.js';
import type { CandidateEntry, LedgerSigner, LedgerStore, UnitLink } from './ports.js';

export type AppendOutcome =
  | { readonly status: 'accepted'; readonly index: number; readonly eventId: string; readonly candidate: CandidateEntry }
  | { readonly status: 'duplicate'; readonly index: number; readonly eventId: string }
  | { readonly status: 'rejected'; readonly code: RejectionCode; readonly detail: string; readonly eventId: string };

export interface AppendResult {
  /** One outcome per candidate, in order. */
  readonly outcomes: readonly AppendOutcome[];
  readonly treeSize: number;
  /** The new signed checkpoint, when the batch grew the tree. */
  readonly checkpoint: string | undefined;
}

/** Frontier kept between batches so an append reads no nodes; checked against the size under the lock. */
const frontiers = new WeakMap<LedgerStore, TreeFrontier>();

export async function appendEntries(
  store: LedgerStore,
  signer: LedgerSigner,
  candidates: readonly CandidateEntry[],
): Promise<AppendResult> {
  const result = await store.append(async (tx) => {
    const seqPairs = candidates.flatMap((c) => (c.device !== null && c.seq !== null ? [{ device: c.device, seq: c.seq }] : []));
    // The heads of every candidate's identifiers, duplicates' included: asking for a few too many costs less than
    // a second round trip.
    const { treeSize: size, bySeq: bySeqRows, byEventId: byEventRows, heads } = await tx.lookup({
      pairs: seqPairs,
      eventIds: [...new Set(candidates.map((c) => c.eventId))],
      identifiers: [...new Set(candidates.flatMap((c) => c.identifiers))],
    });
    const bySeq = new Map(bySeqRows.map((r) => [`${r.device}\u0000${r.seq}`, r]));
    const byEvent = new Map(byEventRows.map((r) => [r.eventId, r.index]));

    const outcomes: AppendOutcome[] = [];
    const accepted: (CandidateEntry & { index: number; leafHash: Uint8Array })[] = [];
    for (const c of candidates) {
      const seqKey = c.device !== null && c.seq !== null ? `${c.device}\u0000${c.seq}` : undefined;
      const prior = seqKey ? bySeq.get(seqKey) : undefined;
      if (prior) {
        // DESIGN.md §3: the same seq with the same event is a retransmission; with another event, a cloned device.
        outcomes.push(
          prior.eventId === c.eventId
            ? { status: 'duplicate', index: prior.index, eventId: c.eventId }
            : {
                status: 'rejected',
                code: 'SEQ_REUSED',
                detail: `seq ${c.seq} of ${c.device} already carries ${prior.eventId} at index ${prior.index}`,
                eventId: c.eventId,
              },
        );
        continue;
      }
      const sameEvent = byEvent.get(c.eventId);
      if (sameEvent !== undefined) {
        outcomes.push({ status: 'duplicate', index: sameEvent, eventId: c.eventId });
        continue;
      }
      const index = size + accepted.length;
      accepted.push({ ...c, index, leafHash: leafHash(c.bytes) });
      byEvent.set(c.eventId, index);
      if (seqKey) bySeq.set(seqKey, { index, eventId: c.eventId, device: c.device, seq: c.seq });
      outcomes.push({ status: 'accepted', index, eventId: c.eventId, candidate: c });
    }
    if (accepted.length === 0) return { outcomes, treeSize: size, checkpoint: undefined, frontier: undefined, root: undefined };

    const cached = frontiers.get(store);
    const frontier = cached?.size === size ? cached : await recoverFrontier(tx, size);
    const appended = appendLeaves(
      frontier,
      accepted.map((a) => a.leafHash),
    );

    // Each identifier's chain: link to its latest earlier entry, in this batch or before it.
    const links: UnitLink[] = [];
    for (const a of accepted) {
      for (const id of a.identifiers) {
        links.push({ identifier: id, index: a.index, prevIndex: heads.get(id) ?? null });
        heads.set(id, a.index);
      }
    }
    const newSize = appended.frontier.size;
    const note = signer.signCheckpoint(newSize, appended.root);
    await tx.insert({ entries: accepted, nodes: appended.nodes, links, checkpoint: { size: newSize, root: appended.root, note } });
    return { outcomes, treeSize: newSize, checkpoint: note, frontier: appended.frontier, root: appended.root };
  });
  // Only after the commit: a rolled-back batch must not leave a frontier ahead of the store.
  if (result.frontier) frontiers.set(store, result.frontier);
  if (result.checkpoint && result.root) store.checkpointCommitted?.({ size: result.treeSize, root: result.root, note: result.checkpoint });
  return { outcomes: result.outcomes, treeSize: result.treeSize, checkpoint: result.checkpoint };
}
