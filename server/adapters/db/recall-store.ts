// RecallStore on SQL (PostgreSQL or PGlite): recalls, their scopes (consulted by the custody rules), the units they
// cover (read from the custody projection), and the sites notified and acknowledged.
import type { ActiveRecallScope, RecallScope } from '../../domain/recall-scope.js';
import type { UnitStateName } from '../../domain/custody-model.js';
import type { PartyRole, RecallClass, RecallRecord, RecallSiteRecord, RecallStore } from '../../domain/ports.js';
import { mapState } from './custody-store.js';
import type { SqlClient } from './sql-client.js';

type Row = Record<string, unknown>;

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : (v instanceof Date ? v : new Date(String(v))).toISOString());
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
function textArray(v: unknown): string[] | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.map(String);
  const s = String(v).replace(/^\{|\}$/g, '');
  return s === '' ? [] : s.split(',').map((x) => x.replace(/^"|"$/g, ''));
}

function scopeOf(r: Row): RecallScope {
  const lots = textArray(r.lots);
  const serials = textArray(r.serials);
  return {
    gtin: String(r.gtin),
    ...(lots ? { lots } : {}),
    ...(serials ? { serials } : {}),
    ...(r.expiry_from !== null && r.expiry_from !== undefined ? { expiryFrom: String(r.expiry_from) } : {}),
    ...(r.expiry_to !== null && r.expiry_to !== undefined ? { expiryTo: String(r.expiry_to) } : {}),
  };
}

function mapRecall(r: Row): RecallRecord {
  return {
    id: String(r.id),
    scope: scopeOf(r),
    class: String(r.class) as RecallClass,
    reason: String(r.reason),
    instructions: textOrNull(r.instructions),
    issuer: textOrNull(r.issuer),
    issuerRole: String(r.issuer_role) as PartyRole,
    issuedAt: iso(r.issued_at)!,
    entryIndex: r.entry_idx === null || r.entry_idx === undefined ? null : Number(r.entry_idx),
    notice: (typeof r.notice === 'string' ? JSON.parse(r.notice) : r.notice) as Record<string, unknown>,
    status: r.status === 'closed' ? 'closed' : 'open',
    closedAt: iso(r.closed_at),
    closedBy: textOrNull(r.closed_by),
    closeReason: textOrNull(r.close_reason),
    closeOverride: r.close_override === true,
  };
}

function mapSite(r: Row): RecallSiteRecord {
  return {
    site: String(r.site),
    notifiedAt: iso(r.notified_at),
    acknowledgedAt: iso(r.acknowledged_at),
    note: textOrNull(r.ack_note),
    acknowledgedByDevice: textOrNull(r.ack_device),
  };
}

/** The WHERE clause of a scope over unit_state (parameters $1–$5, scopeParams), as recallCovers tests it. */
const scopeWhere = (t = '') => `${t}kind = 'unit' AND ${t}gtin = $1
  AND ($2::text[] IS NULL OR ${t}lot = ANY($2::text[]))
  AND ($3::text[] IS NULL OR ${t}serial = ANY($3::text[]))
  AND ($4::text IS NULL OR ${t}expiry >= $4)
  AND ($5::text IS NULL OR ${t}expiry <= $5)`;
const SCOPE_WHERE = scopeWhere();
const scopeParams = (scope: RecallScope) => [scope.gtin, scope.lots ?? null, scope.serials ?? null, scope.expiryFrom ?? null, scope.expiryTo ?? null];

export function createSqlRecallStore(sql: SqlClient): RecallStore {
  return {
    async insertRecall(r) {
      await sql.query(
        `INSERT INTO recalls (id, gtin, lots, serials, expiry_from, expiry_to, class, reason, instructions, issuer, issuer_role, token_id,
           issued_at, entry_idx, notice, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          r.id, r.scope.gtin, r.scope.lots ?? null, r.scope.serials ?? null, r.scope.expiryFrom ?? null, r.scope.expiryTo ?? null,
          r.class, r.reason, r.instructions, r.issuer, r.issuerRole, r.tokenId, r.issuedAt, r.entryIndex, JSON.stringify(r.notice), r.status,
        ],
      );
    },
    async setEntryIndex(id, index) {
      await sql.query('UPDATE recalls SET entry_idx = $2 WHERE id = $1', [id, index]);
    },
    async deleteRecall(id) {
      await sql.query('DELETE FROM recall_sites WHERE recall_id = $1', [id]);
      await sql.query('DELETE FROM recalls WHERE id = $1', [id]);
    },
    async findRecall(id) {
      const [row] = await sql.query('SELECT * FROM recalls WHERE id = $1', [id]);
      return row ? mapRecall(row) : undefined;
    },
    async listRecalls(f) {
      const rows = await sql.query(
        `SELECT * FROM recalls WHERE ($1::text IS NULL OR gtin = $1) AND ($2::text IS NULL OR status = $2)
         ORDER BY issued_at DESC, id LIMIT $3`,
        [f.gtin ?? null, f.status ?? null, f.limit],
      );
      return rows.map(mapRecall);
    },
    async activeScopes() {
      const rows = await sql.query('SELECT id, gtin, lots, serials, expiry_from, expiry_to, entry_idx FROM recalls');
      return rows.map((r): ActiveRecallScope => ({ ...scopeOf(r), recallId: String(r.id), index: r.entry_idx === null ? null : Number(r.entry_idx) }));
    },
    async unitsInScope(scope) {
      const rows = await sql.query(`SELECT * FROM unit_state WHERE ${SCOPE_WHERE} ORDER BY serial`, scopeParams(scope));
      return rows.map(mapState);
    },
    async reportUnitsInScope(scope) {
      // One JSON array of text arrays built by the database and parsed natively, rather than 100,000 rows of 12 fields
      // parsed by the driver (most of the report's time); no ORDER BY (a sort of wide rows spilled to disk; the report
      // sorts serials itself), no timestamp columns, and no gtin (the scope's, for every row).
      const [row] = await sql.query(
        `SELECT coalesce(array_to_json(array_agg(ARRAY[epc, serial, lot, expiry, state, owner, custodian, custody_idx::text,
           commissioned_idx::text, destination_party, recalled::text]))::text, '[]') AS units
         FROM unit_state WHERE ${SCOPE_WHERE}`,
        scopeParams(scope),
      );
      const units = JSON.parse(String(row?.units ?? '[]')) as (string | null)[][];
      const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));
      return units.map((u) => ({
        epc: u[0]!,
        gtin: scope.gtin,
        serial: u[1] ?? null,
        lot: u[2] ?? null,
        expiry: u[3] ?? null,
        state: u[4] as UnitStateName,
        owner: u[5] ?? null,
        custodian: u[6] ?? null,
        custodyIndex: num(u[7]),
        commissionedIndex: num(u[8]),
        destinationParty: u[9] ?? null,
        recalled: u[10] === 'true',
      }));
    },
    async commissionedInScope(scope) {
      const rows = await sql.query(
        `SELECT epc FROM unit_state WHERE ${SCOPE_WHERE} AND commissioned_idx IS NOT NULL AND state <> 'unknown' ORDER BY serial`,
        scopeParams(scope),
      );
      return rows.map((r) => String(r.epc));
    },
    async holdingSitesInScope(scope) {
      // Same rule as issue-recall.ts holdingSites: custodian while in stock, both ends while in transit. One scan;
      // serials sorted here rather than by a sort in the aggregate.
      const rows = await sql.query(
        `SELECT held.site, array_agg(u.serial) AS serials
         FROM unit_state AS u
         CROSS JOIN LATERAL (VALUES (u.custodian),
           (CASE WHEN u.state = 'in_transit' AND u.destination_party IS DISTINCT FROM u.custodian THEN u.destination_party END)) AS held(site)
         WHERE ${scopeWhere('u.')} AND u.state IN ('active', 'in_transit') AND held.site IS NOT NULL
         GROUP BY held.site ORDER BY held.site`,
        scopeParams(scope),
      );
      return rows.map((r) => ({ site: String(r.site), serials: (textArray(r.serials) ?? []).sort() }));
    },
    async recordNotified(id, sites, at) {
      if (sites.length === 0) return;
      await sql.query(
        `INSERT INTO recall_sites (recall_id, site, notified_at) SELECT $1, s, $3 FROM unnest($2::text[]) AS s
         ON CONFLICT (recall_id, site) DO UPDATE SET notified_at = COALESCE(recall_sites.notified_at, EXCLUDED.notified_at)`,
        [id, sites, at],
      );
    },
    async acknowledge(id, site, a) {
      const [row] = await sql.query(
        `INSERT INTO recall_sites (recall_id, site, acknowledged_at, ack_token_id, ack_device, ack_note) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (recall_id, site) DO UPDATE SET acknowledged_at = COALESCE(recall_sites.acknowledged_at, EXCLUDED.acknowledged_at),
           ack_token_id = COALESCE(recall_sites.ack_token_id, EXCLUDED.ack_token_id),
           ack_device = CASE WHEN recall_sites.acknowledged_at IS NULL THEN EXCLUDED.ack_device ELSE recall_sites.ack_device END,
           ack_note = COALESCE(EXCLUDED.ack_note, recall_sites.ack_note)
         RETURNING *`,
        [id, site, a.at, a.tokenId, a.device, a.note],
      );
      return mapSite(row!);
    },
    async sitesOf(id) {
      return (await sql.query('SELECT * FROM recall_sites WHERE recall_id = $1 ORDER BY site', [id])).map(mapSite);
    },
    async closeRecall(id, c) {
      const [row] = await sql.query(
        `UPDATE recalls SET status = 'closed', closed_at = $2, closed_by = $3, close_reason = $4, close_override = $5
         WHERE id = $1 AND status = 'open' RETURNING *`,
        [id, c.at, c.by, c.reason, c.override],
      );
      return row ? mapRecall(row) : undefined;
    },
  };
}
