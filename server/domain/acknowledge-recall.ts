// A site acknowledges a recall notice (DESIGN.md §8): recorded once per site (repeats keep the first time), either by
// its party's token over HTTP (with an optional note) or by one of its gateways over MQTT (receive-recall-ack.ts).
import { PedigreeError } from './pedigree-error.js';
import type { Clock, RecallSiteRecord, RecallStore, TokenRecord } from './ports.js';

/** Who acknowledges: a party's token, or an enrolled device acting for the party owning its location. */
export type RecallAcknowledger = TokenRecord | { readonly device: string; readonly party: string };

export async function acknowledgeRecall(
  o: { readonly recalls: Pick<RecallStore, 'findRecall' | 'acknowledge'>; readonly clock: Clock },
  by: RecallAcknowledger,
  id: string,
  note: string | null,
): Promise<RecallSiteRecord> {
  if (by.party === null) throw new PedigreeError('PARTY_TOKEN_REQUIRED', "a site acknowledges with its party's token");
  const recall = await o.recalls.findRecall(id);
  if (!recall) throw new PedigreeError('RECALL_NOT_FOUND', `no recall ${id}`);
  const at = o.clock.now().toISOString();
  return 'device' in by
    ? o.recalls.acknowledge(id, by.party, { tokenId: null, device: by.device, note, at })
    : o.recalls.acknowledge(id, by.party, { tokenId: by.id, device: null, note, at });
}
