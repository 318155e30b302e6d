// EpcisEventStore on SQL: an EPCIS SimpleEventQuery as one SQL statement over the log's jsonb query copy
// (`entries.event`, GIN jsonb_path_ops: every `@>` below can use it), eventTime / recordTime indexes, the canonical
// chain keys (entry_units) and, for visibility, the custody projection (unit_steps, unit_state). Rows come back a
// page at a time in a stable order (keyset pagination on the order key and the log index): the log is never loaded.
//
// Visibility (visibility-policy.ts, in SQL): for a party P, an entry is visible when
//   P recorded it (entries.party: its device, or its capture token — and neither records at another party's
//   location, so events at P's locations are P's), or it names P or one of its locations in sourceList /
//   destinationList, or it touches a unit or container P recorded an entry about (unit_steps: directly or through a
//   container), or — a manufacturer — a unit of a GTIN under P's prefixes.
import type { AccessScope, EpcisEventQuery, EpcisEventRow, EpcisEventStore, EpcisPageCursor, IdentifierMatch } from '../../domain/ports.js';
import { identifierKey } from '../../domain/event-identifiers.js';
import { identifierSpellings } from '../../domain/epc-spellings.js';
import { ERROR_DECLARATION_SUFFIX } from '../../domain/event-identifiers.js';
import type { SqlClient } from './sql-client.js';

class Params {
  readonly values: unknown[] = [];
  add(v: unknown, cast = ''): string {
    this.values.push(v);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

function or(parts: readonly string[]): string {
  return parts.length === 0 ? 'false' : parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/** `alias.event @> doc` for each document, ORed: each is a GIN index condition. */
function containsAny(p: Params, alias: string, docs: readonly unknown[]): string[] {
  return docs.map((d) => `${alias}.event @> ${p.add(JSON.stringify(d), 'jsonb')}`);
}

/** Some string at one of the jsonpath `paths` starts with one of `prefixes` (EPC patterns; not indexed). */
function startsWithAny(p: Params, alias: string, paths: readonly string[], prefixes: readonly string[]): string[] {
  const out: string[] = [];
  for (const prefix of prefixes) {
    const param = p.add(prefix, 'text');
    for (const path of paths) out.push(`jsonb_path_exists(${alias}.event, '${path} ? (@ starts with $p)', jsonb_build_object('p', ${param}))`);
  }
  return out;
}

const EPC_FIELDS = ['parentID', 'epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;
const LIST_FIELDS = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList', 'quantityList', 'childQuantityList']);

/** The jsonb document containing `value` at `field` (a list member for list fields). */
function at(field: string, value: unknown): Record<string, unknown> {
  return { [field]: LIST_FIELDS.has(field) ? [value] : value };
}

function identifierCondition(p: Params, m: IdentifierMatch, fields: readonly string[], nested?: string): string {
  const docs = fields.flatMap((f) => m.values.map((v) => at(f, nested ? { [nested]: v } : v)));
  const paths = fields.map((f) => (LIST_FIELDS.has(f) ? `$.${f}[*]${nested ? `.${nested}` : ''}` : `$.${f}${nested ? `.${nested}` : ''}`));
  return or([...containsAny(p, 'e', docs), ...startsWithAny(p, 'e', paths, m.prefixes)]);
}

/**
 * An EPC in `fields`. GS1 identifiers go in through their canonical chain key (entry_units, a btree the planner can
 * count on, whatever spelling or Digital Link host the event used); the event's jsonb then says in which field it
 * is: one of ours as spelt, or at least none of the other EPC fields. Other URIs and patterns are matched as written.
 * With GS1 identifiers only, the key lookup is its own top-level condition, so PostgreSQL turns it into a join.
 */
function epcConditions(p: Params, m: IdentifierMatch, fields: readonly string[]): string[] {
  const others = EPC_FIELDS.filter((f) => !fields.includes(f));
  const unkeyed = m.values.filter((v) => identifierKey(v) === undefined);
  const loose = unkeyed.length > 0 || m.prefixes.length > 0 ? identifierCondition(p, { values: unkeyed, prefixes: m.prefixes, keys: [] }, fields) : undefined;
  if (m.keys.length === 0) return [loose ?? 'false'];
  const byKey = `e.idx IN (SELECT u.entry_idx FROM entry_units u WHERE u.epc = ANY(${p.add(m.keys, 'text[]')}))`;
  const spelt = { ...m, prefixes: [] };
  const field = others.length === 0 ? undefined : `(${identifierCondition(p, spelt, fields)} OR NOT ${identifierCondition(p, spelt, others)})`;
  if (loose === undefined) return field === undefined ? [byKey] : [byKey, field];
  return [or([field === undefined ? byKey : `(${byKey} AND ${field})`, loose])];
}

function filters(p: Params, q: EpcisEventQuery): string[] {
  const where: string[] = [];
  if (q.eventTypes) where.push(`e.event->>'type' = ANY(${p.add(q.eventTypes, 'text[]')})`);
  if (q.eventTime.ge) where.push(`e.event_time >= ${p.add(q.eventTime.ge, 'timestamptz')}`);
  if (q.eventTime.lt) where.push(`e.event_time < ${p.add(q.eventTime.lt, 'timestamptz')}`);
  if (q.recordTime.ge) where.push(`e.received_at >= ${p.add(q.recordTime.ge, 'timestamptz')}`);
  if (q.recordTime.lt) where.push(`e.received_at < ${p.add(q.recordTime.lt, 'timestamptz')}`);
  if (q.actions) where.push(`e.event->>'action' = ANY(${p.add(q.actions, 'text[]')})`);
  if (q.bizSteps) where.push(`e.event->>'bizStep' = ANY(${p.add(q.bizSteps, 'text[]')})`);
  if (q.dispositions) where.push(`e.event->>'disposition' = ANY(${p.add(q.dispositions, 'text[]')})`);
  if (q.readPoint) where.push(identifierCondition(p, q.readPoint, ['readPoint'], 'id'));
  if (q.bizLocation) where.push(identifierCondition(p, q.bizLocation, ['bizLocation'], 'id'));
  if (q.epc) where.push(...epcConditions(p, q.epc, ['epcList', 'childEPCs']));
  if (q.parentID) where.push(...epcConditions(p, q.parentID, ['parentID']));
  if (q.anyEPC) where.push(...epcConditions(p, q.anyEPC, EPC_FIELDS));
  if (q.epcClass) where.push(identifierCondition(p, q.epcClass, ['quantityList', 'childQuantityList'], 'epcClass'));
  if (q.eventIDs) {
    const keys = [...q.eventIDs, ...q.eventIDs.map((id) => `${id}${ERROR_DECLARATION_SUFFIX}`)];
    // The ledger's hash ID, or the eventID the event was captured with.
    where.push(or([`e.event_id = ANY(${p.add(keys, 'text[]')})`, ...containsAny(p, 'e', q.eventIDs.map((id) => ({ eventID: id })))]));
  }
  return where;
}

/** GTIN-14 ranges under a company prefix: one per indicator digit (digit strings of equal length sort alike in every collation). */
function gtinRanges(p: Params, prefixes: readonly string[]): string[] {
  const out: string[] = [];
  for (const prefix of prefixes) {
    for (let d = 0; d <= 9; d++) {
      const pad = 13 - prefix.length;
      out.push(`u.gtin BETWEEN ${p.add(`${d}${prefix}${'0'.repeat(pad)}`)} AND ${p.add(`${d}${prefix}${'9'.repeat(pad)}`)}`);
    }
  }
  return out;
}

/**
 * The visibility condition. Two shapes with the same meaning: when the query names identifiers (few candidate
 * entries), each candidate is checked (correlated EXISTS, index probes); otherwise the party's visible entries are
 * gathered once from its own activity (index-driven sets) and joined, rather than testing the whole log row by row.
 */
function visibility(p: Params, scope: AccessScope, selective: boolean): string | undefined {
  if (scope.kind === 'everything') return undefined;
  if (scope.party === '') return 'false';
  const party = p.add(scope.party);
  // readPoint / bizLocation at P's locations need no clause: a device records only at its own location and a party
  // captures no event at another party's registered location, so those entries are P's own (entries.party).
  const parties = new Set([`https://id.gs1.org/417/${scope.party}`, ...scope.locations].flatMap((id) => identifierSpellings(id)));
  const names = [...parties].flatMap((s) => [{ sourceList: [{ source: s }] }, { destinationList: [{ destination: s }] }]);
  const owned = scope.companyPrefixes.length > 0 ? or(gtinRanges(p, scope.companyPrefixes)) : undefined;
  if (selective) {
    return or([
      `e.party = ${party}`,
      ...containsAny(p, 'e', names),
      `EXISTS (SELECT 1 FROM unit_steps s JOIN unit_steps h ON h.epc = s.epc JOIN entries r ON r.idx = h.entry_idx
               WHERE s.entry_idx = e.idx AND r.party = ${party})`,
      ...(owned ? [`EXISTS (SELECT 1 FROM unit_steps s JOIN unit_state u ON u.epc = s.epc WHERE s.entry_idx = e.idx AND ${owned})`] : []),
    ]);
  }
  const sets = [
    `SELECT v.idx FROM entries v WHERE v.party = ${party}`,
    ...(names.length > 0 ? [`SELECT v.idx FROM entries v WHERE ${or(containsAny(p, 'v', names))}`] : []),
    `SELECT s.entry_idx FROM unit_steps s WHERE s.epc IN (
       SELECT h.epc FROM entries r JOIN unit_steps h ON h.entry_idx = r.idx WHERE r.party = ${party})`,
    ...(owned ? [`SELECT s.entry_idx FROM unit_state u JOIN unit_steps s ON s.epc = u.epc WHERE ${owned}`] : []),
  ];
  return `e.idx IN (${sets.join(' UNION ALL ')})`;
}

function whereClause(p: Params, query: EpcisEventQuery, scope: AccessScope): string {
  const conditions = ["e.kind IN ('device', 'capture')", 'e.event IS NOT NULL', ...filters(p, query)];
  const visible = visibility(p, scope, query.epc !== undefined || query.parentID !== undefined || query.anyEPC !== undefined || query.eventIDs !== undefined);
  if (visible) conditions.push(visible);
  return conditions.join('\n  AND ');
}

const ORDER_COLUMN = { eventTime: 'e.event_time', recordTime: 'e.received_at' } as const;

interface Row {
  idx: number;
  kind: EpcisEventRow['kind'];
  bytes: Uint8Array;
  event_id: string | null;
  record_time: string;
  cursor_key: string | null;
}

function toBytes(v: Uint8Array): Uint8Array {
  return v.constructor !== Uint8Array ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : v;
}

export function createSqlEpcisEventStore(db: SqlClient): EpcisEventStore {
  return {
    async queryEvents(query, scope, page) {
      const p = new Params();
      const where = [whereClause(p, query, scope)];
      const column = query.orderBy ? ORDER_COLUMN[query.orderBy] : undefined;
      const direction = query.orderDirection === 'DESC' ? 'DESC' : 'ASC';
      const after: EpcisPageCursor | undefined = page.after;
      if (after) {
        const cmp = direction === 'ASC' ? '>' : '<';
        where.push(
          column && after.key !== null
            ? `(${column}, e.idx) ${cmp} (${p.add(after.key, 'timestamptz')}, ${p.add(after.index, 'bigint')})`
            : `e.idx ${cmp} ${p.add(after.index, 'bigint')}`,
        );
      }
      const order = column ? `${column} ${direction}, e.idx ${direction}` : `e.idx ${direction}`;
      const rows = await db.query<Row>(
        `SELECT e.idx, e.kind, e.bytes, e.event_id,
           to_char(e.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS record_time,
           ${column ? `${column}::text` : 'NULL'} AS cursor_key
         FROM entries e
         WHERE ${where.join('\n  AND ')}
         ORDER BY ${order}
         LIMIT ${p.add(page.limit, 'int')}`,
        p.values,
      );
      return rows.map((r) => ({
        index: Number(r.idx),
        kind: r.kind,
        bytes: toBytes(r.bytes),
        eventId: r.event_id,
        recordTime: r.record_time,
        cursorKey: r.cursor_key,
      }));
    },
    async countEvents(query, scope, cap) {
      const p = new Params();
      const where = whereClause(p, query, scope);
      const rows = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM entries e WHERE ${where} LIMIT ${p.add(cap, 'int')}) AS matching`,
        p.values,
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}
