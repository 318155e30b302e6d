// EPCIS 2.0 SimpleEventQuery over the log (REST binding GET /events): parameters → SQL on the jsonb query copy →
// an EPCISQueryDocument of the events the caller may see (visibility-policy.ts), a page at a time.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { decodeBase64url, encodeBase64url } from '../../schemas/signing/encoding.js';
import { parseEventQuery } from './epcis-event-query.js';
import { buildQueryDocument } from './epcis-query-document.js';
import type { AccessStore, Clock, EpcisEventStore, EpcisPageCursor, TokenRecord } from './ports.js';
import { resolveAccessScope } from './resolve-access-scope.js';

export interface QueryEpcisEventsOptions {
  readonly events: EpcisEventStore;
  readonly access: AccessStore;
  readonly clock: Clock;
}

export type EpcisQueryAnswer =
  | { readonly ok: true; readonly document: Record<string, unknown>; readonly nextPageToken?: string }
  | {
      readonly ok: false;
      readonly status: 400 | 413;
      readonly exception: 'QueryParameterException' | 'QueryTooLargeException';
      readonly detail: string;
    };

interface PageToken {
  readonly f: string;
  readonly k: string | null;
  readonly i: number;
  /** Events answered by earlier pages (eventCountLimit counts across pages). */
  readonly n: number;
}

/** Ties a page token to its query and its caller: a token is no use with other filters or another token. */
function fingerprint(query: string, caller: TokenRecord): string {
  return bytesToHex(sha256(utf8ToBytes(`${caller.id}\n${query}`))).slice(0, 32);
}

function readPageToken(token: string, expected: string): PageToken | undefined {
  try {
    const bytes = decodeBase64url(token);
    if (!bytes || bytes.length > 1024) return undefined;
    const t = JSON.parse(new TextDecoder().decode(bytes)) as Partial<PageToken>;
    if (t.f !== expected || !Number.isSafeInteger(t.i) || !Number.isSafeInteger(t.n) || (t.k !== null && typeof t.k !== 'string')) return undefined;
    // The key goes back to SQL as a timestamptz: only the shape the store wrote (PostgreSQL's text form) is taken.
    if (typeof t.k === 'string' && !/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}(?::?\d{2}){0,2})?$/.test(t.k)) return undefined;
    return t as PageToken;
  } catch {
    return undefined;
  }
}

function writePageToken(t: PageToken): string {
  return encodeBase64url(new TextEncoder().encode(JSON.stringify(t)));
}

export async function queryEpcisEvents(o: QueryEpcisEventsOptions, caller: TokenRecord, params: URLSearchParams): Promise<EpcisQueryAnswer> {
  const parsed = parseEventQuery(params);
  if (!parsed.ok) return { ok: false, status: 400, exception: parsed.exception, detail: parsed.detail };
  const { query, paging } = parsed;
  const f = fingerprint(parsed.fingerprint, caller);
  let after: EpcisPageCursor | undefined;
  let answered = 0;
  if (paging.nextPageToken !== undefined) {
    const t = readPageToken(paging.nextPageToken, f);
    if (!t) return { ok: false, status: 400, exception: 'QueryParameterException', detail: 'nextPageToken is not a token this query issued (repeat the query with the same parameters)' };
    after = { key: t.k, index: t.i };
    answered = t.n;
  }
  const scope = await resolveAccessScope(o.access, caller);
  if (paging.maxEventCount !== undefined && after === undefined) {
    const count = await o.events.countEvents(query, scope, paging.maxEventCount + 1);
    if (count > paging.maxEventCount) {
      return { ok: false, status: 413, exception: 'QueryTooLargeException', detail: `more than maxEventCount (${paging.maxEventCount}) events match` };
    }
  }
  const remaining = paging.eventCountLimit === undefined ? Infinity : paging.eventCountLimit - answered;
  const limit = Math.max(0, Math.min(paging.perPage, remaining));
  const rows = limit === 0 ? [] : await o.events.queryEvents(query, scope, { ...(after ? { after } : {}), limit: limit + 1 });
  const page = rows.slice(0, limit);
  const document = buildQueryDocument(page, o.clock.now().toISOString());
  const last = page.at(-1);
  const more = rows.length > limit && remaining - page.length > 0 && last !== undefined;
  return more ? { ok: true, document, nextPageToken: writePageToken({ f, k: last.cursorKey, i: last.index, n: answered + page.length }) } : { ok: true, document };
}
