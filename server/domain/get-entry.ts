// Reads one log entry by index or by eventID.
import type { LedgerStore, StoredEntryRow } from './ports.js';
import { PedigreeError } from './pedigree-error.js';

export async function getEntry(store: LedgerStore, index: number): Promise<StoredEntryRow> {
  const entry = await store.entry(index);
  if (!entry) throw new PedigreeError('ENTRY_NOT_FOUND', `no entry at index ${index}; GET /v1/checkpoint gives the tree size`);
  return entry;
}

export async function findEntriesByEventId(store: LedgerStore, eventId: string): Promise<StoredEntryRow[]> {
  if (eventId.length === 0 || eventId.length > 512) throw new PedigreeError('BAD_REQUEST', 'eventID must be 1-512 characters');
  return store.entriesByEventId(eventId);
}
