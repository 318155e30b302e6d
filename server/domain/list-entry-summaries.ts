// A page of the log for the ledger browser (DESIGN.md §5): newest entries first, summarised, as the caller may see them.
import { bareWord } from './custody-facts.js';
import type { CandidateEntry, LedgerStore, StoredEntryRow, TokenRecord } from './ports.js';
import { seesEverything } from './visibility-policy.js';

export const MAX_ENTRY_PAGE = 200;

export interface EntrySummary {
  readonly index: number;
  readonly leafHash: Uint8Array;
  readonly kind: CandidateEntry['kind'];
  readonly eventTime: string | null;
  /** Who recorded it and what it says: only for all-seeing callers (DESIGN.md §9: a party sees the events it was part of). */
  readonly detail: {
    readonly device: string | null;
    readonly seq: number | null;
    readonly eventId: string | null;
    readonly type: string | null;
    readonly action: string | null;
    readonly bizStep: string | null;
    readonly disposition: string | null;
  } | null;
}

export interface EntryPage {
  /** The tree size the page was read at. */
  readonly size: number;
  readonly entries: readonly EntrySummary[];
  /** `before` for the next (older) page, or null at the first entry. */
  readonly next: number | null;
}

function field(event: unknown, name: string): string | null {
  if (event === null || typeof event !== 'object') return null;
  const v = (event as Record<string, unknown>)[name];
  return typeof v === 'string' ? v.slice(0, 200) : null;
}

function summarise(row: StoredEntryRow, full: boolean): EntrySummary {
  return {
    index: row.index,
    leafHash: row.leafHash,
    kind: row.kind,
    eventTime: row.eventTime,
    detail: full
      ? {
          device: row.device,
          seq: row.seq,
          eventId: row.eventId,
          type: field(row.event, 'type'),
          action: field(row.event, 'action'),
          bizStep: bareWord(field(row.event, 'bizStep')),
          disposition: bareWord(field(row.event, 'disposition')),
        }
      : null,
  };
}

/**
 * Entries [before - limit, before), newest first. The exact entries stay readable by anyone at GET /v1/entries/{index}
 * (the log is public so anyone can audit it); the browser shows a party only index, kind, time and leaf hash.
 */
export async function listEntrySummaries(
  store: Pick<LedgerStore, 'treeSize' | 'entriesRange'>,
  caller: Pick<TokenRecord, 'role'>,
  input: { readonly before?: number | undefined; readonly limit?: number | undefined },
): Promise<EntryPage> {
  const size = await store.treeSize();
  const limit = Math.min(Math.max(input.limit ?? 50, 1), MAX_ENTRY_PAGE);
  const end = Math.min(input.before ?? size, size);
  const from = Math.max(0, end - limit);
  const rows = end > from ? await store.entriesRange(from, end - from) : [];
  const full = seesEverything(caller);
  return { size, entries: rows.reverse().map((r) => summarise(r, full)), next: from > 0 ? from : null };
}
