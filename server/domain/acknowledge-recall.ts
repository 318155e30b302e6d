// A site acknowledges a recall notice (DESIGN.md §8): recorded per site, with the token and an optional note.
import { PedigreeError } from './pedigree-error.js';
import type { Clock, RecallSiteRecord, RecallStore, TokenRecord } from './ports.js';

export async function acknowledgeRecall(
  o: { readonly recalls: RecallStore; readonly clock: Clock },
  caller: TokenRecord,
  id: string,
  note: string | null,
): Promise<RecallSiteRecord> {
  if (caller.party === null) throw new PedigreeError('PARTY_TOKEN_REQUIRED', "a site acknowledges with its party's token");
  const recall = await o.recalls.findRecall(id);
  if (!recall) throw new PedigreeError('RECALL_NOT_FOUND', `no recall ${id}`);
  return o.recalls.acknowledge(id, caller.party, { tokenId: caller.id, note, at: o.clock.now().toISOString() });
}
