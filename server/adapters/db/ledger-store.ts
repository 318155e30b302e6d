// LedgerStore on SQL (PostgreSQL or PGlite): the append transaction, stored tree nodes, entries, checkpoints, rejections.
import type {
  AppendTransaction,
  ExistingEntryRef,
  LedgerStore,
  Rejection,
  StoredCheckpoint,
  StoredEntryRow,
} from '../../domain/ports.js';
import { nodeKey, type NodeKey, type NodeMap, type TreeNode } from '../../log/tree-nodes.js';
import { insertJsonRows, jsonBytes, jsonParam, jsonRecordset, type JsonColumn } from './json-rows-insert.js';
import type { SqlClient, SqlExecutor } from './sql-client.js';

/** Advisory lock key held by the single writer of the log for the length of an append transaction. */
const APPEND_LOCK = 0x70656467; // 'pedg'

interface EntrySqlRow {
  idx: number;
  leaf_hash: Uint8Array;
  bytes: Uint8Array;
  kind: StoredEntryRow['kind'];
  device: string | null;
  seq: number | null;
  event_id: string | null;
  event_time: string | Date | null;
  event: unknown;
}

const ENTRY_COLUMNS = 'idx, leaf_hash, bytes, kind, device, seq, event_id, event_time, event';

// The entries' signed bytes travel apart from the rows, as ONE binary parameter (their concatenation; each row
// names its slice): in the JSON rows they were base64 text, lexed character by character, and the event again as
// JSON. A device envelope's query copy is then parsed by PostgreSQL from the bytes themselves (see fromBytes).
const ENTRY_ROW_COLUMNS: readonly JsonColumn[] = [
  { name: 'idx', type: 'bigint' },
  { name: 'leaf_hash', type: 'bytea' },
  { name: 'off', type: 'int' },
  { name: 'len', type: 'int' },
  { name: 'kind', type: 'text' },
  { name: 'device', type: 'text' },
  { name: 'seq', type: 'bigint' },
  { name: 'event_id', type: 'text' },
  { name: 'event_time', type: 'timestamptz' },
  { name: 'from_bytes', type: 'boolean' },
  { name: 'event', type: 'jsonb' },
  { name: 'party', type: 'text' },
];
const ENTRY_INSERT_SQL = `INSERT INTO entries (idx, leaf_hash, bytes, kind, device, seq, event_id, event_time, event, party)
SELECT r.idx, decode(r.leaf_hash, 'base64'), b.bytes, r.kind, r.device, r.seq, r.event_id, r.event_time,
  CASE WHEN r.from_bytes THEN convert_from(b.bytes, 'UTF8')::jsonb -> 'event' ELSE r.event END, r.party
FROM ${jsonRecordset('$1', ENTRY_ROW_COLUMNS)}
  CROSS JOIN LATERAL (SELECT substring($2::bytea FROM r.off + 1 FOR r.len) AS bytes) b`;

/**
 * True when PostgreSQL can take a device envelope's query copy (`event`) from its bytes and get what JSON.parse got:
 * an object text (no byte order mark, which the checks' decoder skipped) whose numbers all fit jsonb's numeric. JSON.parse
 * takes 1e-20000 as 0 where numeric refuses it, so an exponent of four digits or more, or a text long enough to
 * write 16,383 decimals out, sends the event as JSON instead (a false alarm in a string costs only that).
 */
export function fromBytes(kind: StoredEntryRow['kind'], bytes: Uint8Array): boolean {
  if (kind !== 'device' || bytes[0] !== 0x7b || bytes.byteLength > 15_000) return false;
  return !/[eE][-+]?[0-9]{4}/.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
}

const LINK_COLUMNS: readonly JsonColumn[] = [
  { name: 'epc', type: 'text' },
  { name: 'entry_idx', type: 'bigint' },
  { name: 'prev_idx', type: 'bigint' },
];
const HEAD_COLUMNS: readonly JsonColumn[] = [
  { name: 'epc', type: 'text' },
  { name: 'last_idx', type: 'bigint' },
];
const NODE_COLUMNS: readonly JsonColumn[] = [
  { name: 'level', type: 'smallint' },
  { name: 'idx', type: 'bigint' },
  { name: 'hash', type: 'bytea' },
];

function toBytes(v: Uint8Array): Uint8Array {
  // node-postgres returns Buffer (a Uint8Array subclass); normalise so callers compare plain bytes.
  return v instanceof Uint8Array && v.constructor !== Uint8Array ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : v;
}

function toIso(v: string | Date | null): string | null {
  if (v === null) return null;
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

function mapEntry(r: EntrySqlRow): StoredEntryRow {
  return {
    index: Number(r.idx),
    leafHash: toBytes(r.leaf_hash),
    bytes: toBytes(r.bytes),
    kind: r.kind,
    device: r.device,
    seq: r.seq === null ? null : Number(r.seq),
    eventId: r.event_id,
    eventTime: toIso(r.event_time),
    event: typeof r.event === 'string' ? JSON.parse(r.event) : r.event,
  };
}

function mapRef(r: { idx: number; event_id: string | null; device: string | null; seq: number | null }): ExistingEntryRef {
  return { index: Number(r.idx), eventId: r.event_id, device: r.device, seq: r.seq === null ? null : Number(r.seq) };
}

async function readNodes(db: SqlExecutor, keys: readonly NodeKey[]): Promise<NodeMap> {
  const out = new Map<number, Uint8Array>();
  if (keys.length === 0) return out;
  const levels = keys.map((k) => k.level);
  const indexes = keys.map((k) => k.index);
  const rows = await db.query<{ level: number; idx: number; hash: Uint8Array }>(
    'SELECT n.level, n.idx, n.hash FROM tree_nodes n JOIN unnest($1::int[], $2::bigint[]) AS k(level, idx) ON n.level = k.level AND n.idx = k.idx',
    [levels, indexes],
    { prepare: true }, // every proof a verification serves
  );
  for (const r of rows) out.set(nodeKey({ level: Number(r.level), index: Number(r.idx) }), toBytes(r.hash));
  return out;
}

/**
 * The append's read, one statement: the tree size, then the entries holding the (device, seq) pairs, the entries
 * holding the eventIDs, the chain heads. Each key is probed through its index (LATERAL … LIMIT 1 keeps the planner
 * from turning the probes into a hash join over the whole table, which it did while a young table's statistics
 * lagged: 17 ms a batch at 40,000 entries).
 */
const LOOKUP_SQL = `SELECT 'n' AS k, COALESCE(MAX(idx) + 1, 0)::bigint AS idx, NULL::text AS event_id, NULL::text AS device, NULL::bigint AS seq FROM entries
UNION ALL
SELECT 's', e.idx, e.event_id, e.device, e.seq FROM unnest($1::text[], $2::bigint[]) AS q(device, seq)
  CROSS JOIN LATERAL (SELECT idx, event_id, device, seq FROM entries WHERE device = q.device AND seq = q.seq LIMIT 1) e
UNION ALL
SELECT 'e', e.idx, e.event_id, e.device, e.seq FROM unnest($3::text[]) AS q(event_id)
  CROSS JOIN LATERAL (SELECT idx, event_id, device, seq FROM entries WHERE event_id = q.event_id LIMIT 1) e
UNION ALL
SELECT 'h', h.last_idx, h.epc, NULL, NULL FROM unnest($4::text[]) AS q(epc)
  CROSS JOIN LATERAL (SELECT epc, last_idx FROM unit_heads WHERE epc = q.epc LIMIT 1) h`;

function appendTransaction(tx: SqlExecutor): AppendTransaction {
  return {
    getNodes: (keys) => readNodes(tx, keys),
    async lookup({ pairs, eventIds, identifiers }) {
      const rows = await tx.query<{ k: 'n' | 's' | 'e' | 'h'; idx: number; event_id: string | null; device: string | null; seq: number | null }>(
        LOOKUP_SQL,
        [pairs.map((p) => p.device), pairs.map((p) => p.seq), eventIds, identifiers],
        { prepare: true },
      );
      let treeSize = 0;
      const bySeq: ExistingEntryRef[] = [];
      const byEventId: ExistingEntryRef[] = [];
      const heads = new Map<string, number>();
      for (const r of rows) {
        if (r.k === 'n') treeSize = Number(r.idx);
        else if (r.k === 's') bySeq.push(mapRef(r));
        else if (r.k === 'e') byEventId.push(mapRef(r));
        else heads.set(r.event_id!, Number(r.idx));
      }
      return { treeSize, bySeq, byEventId, heads };
    },
    async insert({ entries, nodes, links, checkpoint }) {
      // One statement at a time: PGlite's transaction does not order statements sent together.
      let off = 0;
      const rows = entries.map((r) => {
        const viaBytes = fromBytes(r.kind, r.bytes);
        const row = {
          idx: r.index,
          leaf_hash: jsonBytes(r.leafHash),
          off,
          len: r.bytes.byteLength,
          kind: r.kind,
          device: r.device,
          seq: r.seq,
          event_id: r.eventId,
          event_time: r.eventTime,
          from_bytes: viaBytes,
          event: viaBytes ? null : r.event,
          party: r.party ?? null,
        };
        off += r.bytes.byteLength;
        return row;
      });
      if (rows.length > 0) await tx.query(ENTRY_INSERT_SQL, [jsonParam(rows), Buffer.concat(entries.map((r) => r.bytes))], { prepare: true });
      await insertJsonRows(tx, 'tree_nodes', NODE_COLUMNS, nodes.map((n) => ({ level: n.level, idx: n.index, hash: jsonBytes(n.hash) })));
      await insertJsonRows(tx, 'entry_units', LINK_COLUMNS, links.map((l) => ({ epc: l.identifier, entry_idx: l.index, prev_idx: l.prevIndex })));
      // The head of each chain is the highest index that touches it in this batch.
      const heads = new Map<string, number>();
      for (const l of links) heads.set(l.identifier, Math.max(heads.get(l.identifier) ?? -1, l.index));
      await insertJsonRows(
        tx,
        'unit_heads',
        HEAD_COLUMNS,
        [...heads].map(([epc, idx]) => ({ epc, last_idx: idx })),
        'ON CONFLICT (epc) DO UPDATE SET last_idx = EXCLUDED.last_idx',
      );
      await tx.query('INSERT INTO checkpoints (size, root, note) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING', [
        checkpoint.size,
        checkpoint.root,
        checkpoint.note,
      ]);
    },
  };
}

export interface SqlLedgerStore extends LedgerStore {
  /** Up to `limit` stored nodes of `level`, by index from `fromIndex` up (warms tree-node-cache.ts, a page a call). */
  levelNodes(level: number, fromIndex: number, limit: number): Promise<TreeNode[]>;
}

/**
 * SQLSTATE class 22 (data exception: a value no column type accepts) or 54000 (program limit exceeded: a value too
 * large for an index row): both drivers put the SQLSTATE on the error's `code`.
 */
export function isDataRefusal(error: unknown): boolean {
  const code = error !== null && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('22') || code === '54000');
}

export function createSqlLedgerStore(db: SqlClient): SqlLedgerStore {
  return {
    refusesData: isDataRefusal,
    getNodes: (keys) => readNodes(db, keys),
    async levelNodes(level, fromIndex, limit) {
      const rows = await db.query<{ idx: number; hash: Uint8Array }>(
        'SELECT idx, hash FROM tree_nodes WHERE level = $1 AND idx >= $2 ORDER BY idx LIMIT $3',
        [level, fromIndex, limit],
      );
      return rows.map((r) => ({ level, index: Number(r.idx), hash: toBytes(r.hash) }));
    },
    append(fn) {
      return db.transaction((tx) => fn(appendTransaction(tx)), { first: `SELECT pg_advisory_xact_lock(${APPEND_LOCK})` });
    },
    async treeSize() {
      const rows = await db.query<{ size: number }>('SELECT COALESCE(MAX(idx) + 1, 0)::bigint AS size FROM entries');
      return Number(rows[0]?.size ?? 0);
    },
    async entry(index) {
      const rows = await db.query<EntrySqlRow>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE idx = $1`, [index]);
      return rows[0] ? mapEntry(rows[0]) : undefined;
    },
    async entriesByEventId(eventId) {
      const rows = await db.query<EntrySqlRow>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE event_id = $1 ORDER BY idx`, [eventId]);
      return rows.map(mapEntry);
    },
    async entriesRange(from, count) {
      const rows = await db.query<EntrySqlRow>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE idx >= $1 ORDER BY idx LIMIT $2`, [
        from,
        count,
      ]);
      return rows.map(mapEntry);
    },
    async latestCheckpoint() {
      const rows = await db.query<{ size: number; root: Uint8Array; note: string }>(
        'SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1',
      );
      const r = rows[0];
      return r ? { size: Number(r.size), root: toBytes(r.root), note: r.note } : undefined;
    },
    async checkpoints() {
      const rows = await db.query<{ size: number; root: Uint8Array; note: string }>('SELECT size, root, note FROM checkpoints ORDER BY size');
      return rows.map((r): StoredCheckpoint => ({ size: Number(r.size), root: toBytes(r.root), note: r.note }));
    },
    async recordRejection(r: Rejection) {
      await db.query(
        'INSERT INTO rejections (device, seq, code, detail, topic, raw, raw_length) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [r.device, r.seq, r.code, r.detail, r.topic, r.raw, r.rawLength],
      );
    },
    async listRejections(filter) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.device !== undefined) where.push(`device = $${params.push(filter.device)}`);
      if (filter.code !== undefined) where.push(`code = $${params.push(filter.code)}`);
      if (filter.beforeId !== undefined) where.push(`id < $${params.push(filter.beforeId)}`);
      params.push(filter.limit);
      const rows = await db.query<{
        id: number;
        device: string | null;
        seq: number | null;
        code: string;
        detail: string | null;
        topic: string;
        raw: Uint8Array;
        raw_length: number;
        received_at: string | Date;
      }>(
        `SELECT id, device, seq, code, detail, topic, raw, raw_length, received_at FROM rejections ${
          where.length ? `WHERE ${where.join(' AND ')}` : ''
        } ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map((r) => ({
        id: r.id,
        device: r.device,
        seq: r.seq === null ? null : Number(r.seq),
        code: r.code,
        detail: r.detail ?? '',
        topic: r.topic,
        raw: toBytes(r.raw),
        rawLength: r.raw_length,
        receivedAt: toIso(r.received_at) ?? '',
      }));
    },
  };
}
