// CustodyStore on SQL (PostgreSQL or PGlite): the rules transaction (one multi-table statement on the hot path, rows
// as one JSON parameter), the unit views served to verification in one round trip, containers, alerts.
import { ALERT_SEVERITY, type AlertCode, type AlertSeverity } from '../../../schemas/codes.js';
import type { AlertAction, AlertRecord, AlertStatus, CustodyFacts, PedigreeFacts, UnitState, UnitStateName, UnitStep } from '../../domain/custody-model.js';
import type { ContainerNode, CustodyStore, CustodyTransaction, CustodyWrite, PedigreeStepRecord, StoredStep, UnitView } from '../../domain/ports.js';
import { nodeKey } from '../../log/tree-nodes.js';
import { BatchLoader } from './batch-loader.js';
import { PartyNames } from './party-names.js';
import { jsonParam, jsonRecordset } from './json-rows-insert.js';
import type { SqlClient, SqlExecutor } from './sql-client.js';

/** Advisory lock held by the single writer of the custody projection (distinct from the log's append lock). */
const RULES_LOCK = 0x70656472; // 'pedr'
const EPOCH = '1970-01-01T00:00:00.000Z';

type Row = Record<string, unknown>;

/** PostgreSQL's JSON text of a UTC timestamptz: 2026-01-01T00:00:00(.123456)+00:00. */
const PG_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00:00$/;

function iso(v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  if (typeof v === 'string') {
    // The common case without a Date (hot on verification): same text as toISOString, milliseconds truncated as Date does.
    const m = PG_UTC.exec(v);
    if (m) return `${m[1]}.${(m[2] ?? '').slice(0, 3).padEnd(3, '0')}Z`;
  }
  const d = v instanceof Date ? v : new Date(String(v));
  return d.toISOString();
}
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
function numArray(v: unknown): number[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(Number);
  const s = String(v).replace(/[{}]/g, '');
  return s === '' ? [] : s.split(',').map(Number);
}
function textArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (v === null || v === undefined) return [];
  const s = String(v).replace(/[{}"]/g, '');
  return s === '' ? [] : s.split(',');
}
function toBytes(v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return new Uint8Array(Buffer.from(v.replace(/^\\x/, ''), 'hex'));
  const b = v as Uint8Array;
  return b.constructor !== Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b;
}

const STATE_COLUMNS = [
  'epc', 'kind', 'gtin', 'serial', 'sscc', 'state', 'commissioned_idx', 'lot', 'expiry', 'owner', 'custodian', 'location',
  'custody_idx', 'destination_party', 'destination_location', 'ship_idx', 'terminal_idx', 'container', 'container_idx',
  'recalled', 'recall_idx', 'quarantined', 'unknown_alerted', 'last_idx', 'last_event_time',
] as const;
const STATE_TYPES = [
  'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'text',
  'bigint', 'bigint', 'text', 'bigint', 'boolean', 'bigint', 'boolean', 'boolean', 'bigint', 'timestamptz',
] as const;
const STATE_SELECT = STATE_COLUMNS.join(', ');

function stateValues(s: UnitState): unknown[] {
  return [
    s.epc, s.kind, s.gtin, s.serial, s.sscc, s.state, s.commissionedIndex, s.lot, s.expiry, s.owner, s.custodian, s.location,
    s.custodyIndex, s.destinationParty, s.destinationLocation, s.shipIndex, s.terminalIndex, s.container, s.containerIndex,
    s.recalled, s.recallIndex, s.quarantined, s.unknownAlerted, s.lastIndex, s.lastEventTime === '' ? EPOCH : s.lastEventTime,
  ];
}

export function mapState(r: Row): UnitState {
  return {
    epc: String(r.epc),
    kind: r.kind === 'container' ? 'container' : 'unit',
    gtin: text(r.gtin),
    serial: text(r.serial),
    sscc: text(r.sscc),
    state: String(r.state) as UnitStateName,
    commissionedIndex: num(r.commissioned_idx),
    lot: text(r.lot),
    expiry: text(r.expiry),
    owner: text(r.owner),
    custodian: text(r.custodian),
    location: text(r.location),
    custodyIndex: num(r.custody_idx),
    destinationParty: text(r.destination_party),
    destinationLocation: text(r.destination_location),
    shipIndex: num(r.ship_idx),
    terminalIndex: num(r.terminal_idx),
    container: text(r.container),
    containerIndex: num(r.container_idx),
    recalled: r.recalled === true || r.recalled === 't',
    recallIndex: num(r.recall_idx),
    quarantined: r.quarantined === true || r.quarantined === 't',
    unknownAlerted: r.unknown_alerted === true || r.unknown_alerted === 't',
    lastIndex: Number(r.last_idx),
    lastEventTime: iso(r.last_event_time),
  };
}

const FACT_COLUMNS = [
  'idx', 'event_time', 'event_date', 'type', 'action', 'biz_step', 'disposition', 'party', 'location', 'source_party',
  'destination_party', 'destination_location', 'parent', 'lot', 'expiry', 'corrects', 'retracted_by',
] as const;
const FACT_TYPES = [
  'bigint', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text',
  'bigint', 'bigint',
] as const;

function factValues(f: CustodyFacts): unknown[] {
  return [
    f.index, f.eventTime, f.eventDate, f.type, f.action, f.bizStep, f.disposition, f.party, f.location, f.sourceParty,
    f.destinationParty, f.destinationLocation, f.parent, f.lot, f.expiry, f.corrects, f.retractedBy,
  ];
}

function mapFacts(r: Row): CustodyFacts {
  return {
    index: Number(r.idx),
    eventTime: iso(r.event_time),
    eventDate: String(r.event_date),
    type: String(r.type),
    action: text(r.action),
    bizStep: text(r.biz_step),
    disposition: text(r.disposition),
    party: text(r.party),
    location: text(r.location),
    sourceParty: text(r.source_party),
    destinationParty: text(r.destination_party),
    destinationLocation: text(r.destination_location),
    parent: text(r.parent),
    lot: text(r.lot),
    expiry: text(r.expiry),
    corrects: num(r.corrects),
    retractedBy: num(r.retracted_by),
  };
}

const STEP_COLUMNS = [
  'epc', 'entry_idx', 'event_time', 'role', 'via', 'lot', 'expiry',
  'biz_step', 'disposition', 'party', 'location', 'destination_party', 'corrects', 'retracted_by',
] as const;
const STEP_TYPES = ['text', 'bigint', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint'] as const;

function stepValues({ step: s, facts: f }: PedigreeStepRecord): unknown[] {
  return [s.epc, s.index, s.eventTime, s.role, s.via, s.lot, s.expiry, f.bizStep, f.disposition, f.party, f.location, f.destinationParty, f.corrects, f.retractedBy];
}

function mapPedigreeFacts(r: Row): PedigreeFacts {
  return {
    index: Number(r.entry_idx),
    bizStep: text(r.biz_step),
    disposition: text(r.disposition),
    party: text(r.party),
    location: text(r.location),
    destinationParty: text(r.destination_party),
    corrects: num(r.corrects),
    retractedBy: num(r.retracted_by),
  };
}

function mapStep(r: Row): UnitStep {
  return {
    epc: String(r.epc),
    index: Number(r.entry_idx),
    eventTime: iso(r.step_time ?? r.event_time),
    role: String(r.role) as UnitStep['role'],
    via: text(r.via),
    lot: text(r.step_lot),
    expiry: text(r.step_expiry),
  };
}

/** A pedigree step with its entry's facts, as mapStep and mapFacts read it: name, SQL (unit_steps s, custody_events e). */
const STEP_FIELDS = [
  ['epc', 's.epc'], ['entry_idx', 's.entry_idx'], ['step_time', 's.event_time'], ['role', 's.role'], ['via', 's.via'],
  ['step_lot', 's.lot'], ['step_expiry', 's.expiry'], ['idx', 'e.idx'], ['event_time', 'e.event_time'], ['event_date', 'e.event_date'],
  ['type', 'e.type'], ['action', 'e.action'], ['biz_step', 'e.biz_step'], ['disposition', 'e.disposition'], ['party', 'e.party'],
  ['location', 'e.location'], ['source_party', 'e.source_party'], ['destination_party', 'e.destination_party'],
  ['destination_location', 'e.destination_location'], ['parent', 'e.parent'], ['lot', 'e.lot'], ['expiry', 'e.expiry'],
  ['corrects', 'e.corrects'], ['retracted_by', 'e.retracted_by'],
] as const;

const STEP_SELECT = `SELECT ${STEP_FIELDS.map(([name, sql]) => `${sql} AS ${name}`).join(', ')}
  FROM unit_steps s JOIN custody_events e ON e.idx = s.entry_idx`;

function mapAlert(r: Row): AlertRecord {
  const code = String(r.code) as AlertCode;
  return {
    id: Number(r.id),
    code,
    severity: (text(r.severity) ?? ALERT_SEVERITY[code]) as AlertSeverity,
    epc: String(r.epc),
    gtin: text(r.gtin),
    serial: text(r.serial),
    sscc: text(r.sscc),
    triggerIndex: num(r.trigger_idx),
    evidence: numArray(r.evidence) ?? [],
    sites: textArray(r.sites),
    detail: String(r.detail),
    eventTime: isoOrNull(r.event_time),
    status: String(r.status) as AlertStatus,
    resolvedBy: numArray(r.resolved_by),
    raisedAt: iso(r.raised_at),
    updatedAt: iso(r.updated_at),
  };
}

function mapAction(r: Row): AlertAction {
  return {
    action: String(r.action) as AlertAction['action'],
    note: String(r.note),
    actorParty: text(r.actor_party),
    actorRole: text(r.actor_role),
    entries: numArray(r.entries),
    at: iso(r.at),
  };
}

/**
 * Rows as one JSON parameter, `json_to_recordset($n::json) AS r(col type, …)`: one statement whatever the row count,
 * no parameter limit, and one value for the driver to send (json-rows-insert.ts says why that matters).
 */
function jsonRecords(params: unknown[], columns: readonly string[], types: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const records = rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) o[columns[i]!] = r[i];
    return o;
  });
  return jsonRecordset(`$${params.push(jsonParam(records))}`, columns.map((name, i) => ({ name, type: types[i]! })));
}

function custodyTransaction(tx: SqlExecutor): CustodyTransaction {
  return {
    async appliedThrough() {
      const rows = await tx.query<{ applied_through: number }>('SELECT applied_through FROM custody_progress WHERE id = 1');
      return rows[0] ? Number(rows[0].applied_through) : -1;
    },
    async entries(from, count) {
      const rows = await tx.query<Row>(
        'SELECT idx, event_id, event_time, device, party, event FROM entries WHERE idx >= $1 ORDER BY idx LIMIT $2',
        [from, count],
      );
      return rows.map((r) => ({
        index: Number(r.idx),
        eventId: text(r.event_id),
        eventTime: isoOrNull(r.event_time),
        device: text(r.device),
        party: text(r.party),
        event: typeof r.event === 'string' ? JSON.parse(r.event) : r.event,
      }));
    },
    async partiesOfDevices(devices) {
      const out = new Map<string, string>();
      if (devices.length === 0) return out;
      const rows = await tx.query<{ device: string; party: string }>(
        'SELECT d.device, l.party FROM devices d JOIN locations l ON l.sgln = d.location WHERE d.device = ANY($1::text[])',
        [devices],
      );
      for (const r of rows) out.set(r.device, r.party);
      return out;
    },
    async loadStates(epcs, expand) {
      if (epcs.length === 0 && expand.length === 0) return [];
      const rows =
        expand.length === 0
          ? await tx.query<Row>(`SELECT ${STATE_SELECT} FROM unit_state WHERE epc = ANY($1::text[])`, [epcs])
          : await tx.query<Row>(
              `WITH RECURSIVE inside(epc, depth) AS (
                 SELECT epc, 1 FROM unit_state WHERE container = ANY($2::text[])
                 UNION
                 SELECT u.epc, i.depth + 1 FROM unit_state u JOIN inside i ON u.container = i.epc WHERE i.depth < 32
               )
               SELECT ${STATE_SELECT} FROM unit_state WHERE epc = ANY($1::text[])
               UNION SELECT ${STATE_SELECT} FROM unit_state WHERE epc IN (SELECT epc FROM inside)`,
              [epcs, expand],
            );
      return rows.map(mapState);
    },
    async loadSteps(epcs) {
      if (epcs.length === 0) return [];
      const rows = await tx.query<Row>(`${STEP_SELECT} WHERE s.epc = ANY($1::text[])`, [epcs]);
      return rows.map((r): StoredStep => ({ step: mapStep(r), facts: mapFacts(r) }));
    },
    async containerStepsAfter(container, eventTime) {
      const rows = await tx.query<Row>(`${STEP_SELECT} WHERE s.epc = $1 AND s.event_time > $2::timestamptz`, [container, eventTime]);
      return rows.map((r): StoredStep => ({ step: mapStep(r), facts: mapFacts(r) }));
    },
    async epcsOfEntries(indexes) {
      if (indexes.length === 0) return [];
      const rows = await tx.query<{ epc: string }>('SELECT DISTINCT epc FROM unit_steps WHERE entry_idx = ANY($1::bigint[])', [indexes]);
      return rows.map((r) => r.epc);
    },
    async entryIndexesByEventId(eventIds) {
      const out = new Map<string, number>();
      if (eventIds.length === 0) return out;
      const rows = await tx.query<{ event_id: string; idx: number }>('SELECT event_id, idx FROM entries WHERE event_id = ANY($1::text[])', [eventIds]);
      for (const r of rows) out.set(r.event_id, Number(r.idx));
      return out;
    },
    async ruleAlertsOf(epcs) {
      if (epcs.length === 0) return [];
      const rows = await tx.query<Row>('SELECT * FROM alerts WHERE epc = ANY($1::text[]) AND trigger_idx IS NOT NULL', [epcs]);
      return rows.map(mapAlert);
    },
    async write(w: CustodyWrite) {
      // The hot path in one statement: facts, steps, states and the watermark (data-modifying CTEs).
      const params: unknown[] = [];
      const parts: string[] = [];
      if (w.events.length > 0) {
        const src = jsonRecords(params, FACT_COLUMNS, FACT_TYPES, w.events.map(factValues));
        parts.push(`ev AS (INSERT INTO custody_events (${FACT_COLUMNS.join(', ')}) SELECT * FROM ${src} ON CONFLICT (idx) DO NOTHING)`);
      }
      if (w.steps.length > 0) {
        const src = jsonRecords(params, STEP_COLUMNS, STEP_TYPES, w.steps.map(stepValues));
        parts.push(`st AS (INSERT INTO unit_steps (${STEP_COLUMNS.join(', ')}) SELECT * FROM ${src} ON CONFLICT (epc, entry_idx) DO NOTHING)`);
      }
      if (w.states.length > 0) {
        const src = jsonRecords(params, STATE_COLUMNS, STATE_TYPES, w.states.map(stateValues));
        const set = STATE_COLUMNS.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ');
        parts.push(`us AS (INSERT INTO unit_state (${STATE_SELECT}) SELECT * FROM ${src} ON CONFLICT (epc) DO UPDATE SET ${set})`);
      }
      const through = `$${params.push(w.appliedThrough)}::bigint`;
      await tx.query(
        `${parts.length > 0 ? `WITH ${parts.join(',\n')}\n` : ''}INSERT INTO custody_progress (id, applied_through) VALUES (1, ${through})
         ON CONFLICT (id) DO UPDATE SET applied_through = EXCLUDED.applied_through`,
        params,
        { prepare: true }, // at most 8 texts: which of the three parts a write has
      );
      // The rarer writes: retractions, removed steps, alerts.
      if (w.retractions.length > 0) {
        const retracted = [w.retractions.map((r) => r.index), w.retractions.map((r) => r.by)];
        await tx.query(
          'UPDATE custody_events c SET retracted_by = r.by FROM unnest($1::bigint[], $2::bigint[]) AS r(idx, by) WHERE c.idx = r.idx',
          retracted,
        );
        // The steps' copy of the entry's facts (schema.ts unitSteps) follows.
        await tx.query(
          'UPDATE unit_steps s SET retracted_by = r.by FROM unnest($1::bigint[], $2::bigint[]) AS r(idx, by) WHERE s.entry_idx = r.idx',
          retracted,
        );
      }
      if (w.deletedSteps.length > 0) {
        await tx.query(
          'DELETE FROM unit_steps s USING unnest($1::text[], $2::bigint[]) AS d(epc, idx) WHERE s.epc = d.epc AND s.entry_idx = d.idx',
          [w.deletedSteps.map((d) => d.epc), w.deletedSteps.map((d) => d.index)],
        );
      }
      const raised: AlertRecord[] = [];
      let inserted = 0;
      for (let start = 0; start < w.raise.length; start += 2000) {
        const params: unknown[] = [];
        const tuples = w.raise.slice(start, start + 2000).map((a) => {
          const [gtin, serial, sscc] = keyParts(a.epc);
          const p = (v: unknown, cast = '') => `$${params.push(v)}${cast}`;
          return `(${p(a.code)}, ${p(ALERT_SEVERITY[a.code])}, ${p(a.epc)}, ${p(gtin)}, ${p(serial)}, ${p(sscc)}, ${p(a.triggerIndex, '::bigint')},
            ${p(a.evidence, '::bigint[]')}, ${p(a.sites, '::text[]')}, ${p(a.detail)}, ${p(a.eventTime, '::timestamptz')}, 'open')`;
        });
        // A rule alert the rules resolved (resolved_by set) and raise again is reopened; one a person resolved stays so.
        const rows = await tx.query<Row>(
          `INSERT INTO alerts (code, severity, epc, gtin, serial, sscc, trigger_idx, evidence, sites, detail, event_time, status)
           VALUES ${tuples.join(',')}
           ON CONFLICT (epc, code, trigger_idx) DO UPDATE SET status = 'open', resolved_by = NULL, updated_at = now()
             WHERE alerts.status = 'resolved' AND alerts.resolved_by IS NOT NULL
           RETURNING *, (xmax = 0) AS inserted`,
          params,
        );
        raised.push(...rows.map(mapAlert));
        inserted += rows.filter((r) => r.inserted === true || r.inserted === 't').length;
      }
      const resolved: AlertRecord[] = [];
      if (w.resolve.length > 0) {
        const r = w.resolve;
        const rows = await tx.query<Row>(
          `UPDATE alerts a SET status = 'resolved', resolved_by = x.by::bigint[], updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS x(epc, code, trigger_idx, by)
           WHERE a.epc = x.epc AND a.code = x.code AND a.trigger_idx = x.trigger_idx AND a.status <> 'resolved'
           RETURNING a.*`,
          [r.map((x) => x.key.epc), r.map((x) => x.key.code), r.map((x) => x.key.triggerIndex), r.map((x) => `{${x.by.join(',')}}`)],
        );
        const notes = new Map(r.map((x) => [`${x.key.epc}\u0000${x.key.code}\u0000${x.key.triggerIndex}`, x]));
        const done = rows.map(mapAlert);
        if (done.length > 0) {
          const actions = done.map((a) => notes.get(`${a.epc}\u0000${a.code}\u0000${a.triggerIndex}`)!);
          await tx.query(
            `INSERT INTO alert_actions (alert_id, action, note, entries)
             SELECT id, 'auto_resolve', note, by::bigint[] FROM unnest($1::int[], $2::text[], $3::text[]) AS x(id, note, by)`,
            [done.map((a) => a.id), actions.map((x) => x.note), actions.map((x) => `{${x.by.join(',')}}`)],
          );
        }
        resolved.push(...done);
      }
      return { raised, resolved, inserted };
    },
  };
}

function keyParts(epc: string): [string | null, string | null, string | null] {
  const u = /^https:\/\/id\.gs1\.org\/01\/([0-9]{14})\/21\/([^/?#]+)$/.exec(epc);
  if (u) {
    let serial = u[2]!;
    try {
      serial = decodeURIComponent(serial);
    } catch {
      /* keep as written */
    }
    return [u[1]!, serial, null];
  }
  const c = /^https:\/\/id\.gs1\.org\/00\/([0-9]{18})$/.exec(epc);
  return c ? [null, null, c[1]!] : [null, null, null];
}

function parseJson(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

/**
 * A pedigree step as the unit view reads it: unit_steps alone (with its copy of the entry's facts), as JSON arrays
 * rather than objects (a tenth less database CPU per view): name as mapStep reads it, SQL. Party names come from
 * memory (party-names.ts).
 */
const VIEW_STEP_NAMES: Readonly<Record<string, string>> = { event_time: 'step_time', lot: 'step_lot', expiry: 'step_expiry' };
const VIEW_STEP_FIELDS = STEP_COLUMNS.map((c) => [VIEW_STEP_NAMES[c] ?? c, `s.${c}`] as const);

function viewStepRow(values: readonly unknown[]): Row {
  const row: Row = {};
  for (let i = 0; i < VIEW_STEP_FIELDS.length; i++) row[VIEW_STEP_FIELDS[i]![0]] = values[i];
  return row;
}

/**
 * The unit-view statement reading the lowest `low` levels of proofs (none when the node cache holds every level).
 * The level is part of the text, not a parameter, so each level gets its own prepared plan: as a parameter it turns
 * the plan generic, a fifth slower (pgbench). It reads only columns unit_steps' primary key holds (migration 0007),
 * so the steps come from the index alone (test/server/adapters/db/unit-view-plan.test.ts).
 */
const unitViewSqlByLevel = new Map<number, string>();
export function unitViewSql(low: number): string {
  if (!Number.isInteger(low) || low < 0 || low > 62) throw new RangeError(`proof levels read with a unit view: ${low}`);
  let text = unitViewSqlByLevel.get(low);
  if (text === undefined) {
    const proofNodes =
      low === 0
        ? ''
        : `,
       (SELECT json_agg(json_build_object('l', n.level, 'i', n.idx, 'h', encode(n.hash, 'base64')))
          FROM (SELECT b AS level, (l.idx >> b) # 1 AS idx FROM generate_series(0, ${low - 1}) AS b
                WHERE ((l.idx >> ${low}) + 1) << ${low} <= $2::bigint
                UNION ALL SELECT 0, l.idx) AS k
          JOIN tree_nodes n ON n.level = k.level AND n.idx = k.idx) AS proof_nodes`;
    // The latest step is a lateral join: as a CTE column it was planned once per use (four index scans, not one).
    text = `SELECT row_to_json(u) AS state,
       (SELECT json_agg(json_build_array(${VIEW_STEP_FIELDS.map(([, sql]) => sql).join(', ')}) ORDER BY s.event_time, s.entry_idx)
          FROM unit_steps s WHERE s.epc = u.epc) AS steps,
       (SELECT json_agg(a ORDER BY a.id) FROM alerts a WHERE a.epc = u.epc) AS alerts,
       (SELECT en.bytes FROM entries en WHERE en.idx = l.idx) AS latest_bytes${proofNodes}
     FROM unnest($1::text[]) AS q(epc) JOIN unit_state u ON u.epc = q.epc
     LEFT JOIN LATERAL (SELECT st.entry_idx AS idx FROM unit_steps st WHERE st.epc = q.epc
                        ORDER BY st.event_time DESC, st.entry_idx DESC LIMIT 1) AS l ON true`;
    unitViewSqlByLevel.set(low, text);
  }
  return text;
}

/**
 * Unit views, many per round trip (batch-loader.ts): state, pedigree steps with their facts, every alert, party names,
 * the latest entry's bytes, and the lowest `lowLevels` levels of that entry's inclusion proof. When the entry's block
 * of 2^lowLevels leaves is complete in a tree of `proofSize` leaves, its proof holds exactly the sibling
 * (b, (index >> b) XOR 1) at each level b < lowLevels (RFC 9162 §2.1.3.1: inside a complete subtree the path is the
 * plain sibling path); the levels above come from the ledger's in-memory node cache (server/log/tree-node-cache.ts).
 */
async function readUnitViews(
  db: SqlExecutor,
  names: PartyNames,
  epcs: readonly string[],
  proofSize: number,
  lowLevels: number,
): Promise<Map<string, UnitView>> {
  // Reading no proof levels, the statement has no use for the size.
  const rows = await db.query<Row>(unitViewSql(lowLevels), lowLevels === 0 ? [epcs] : [epcs, proofSize], { prepare: true });
  const parsed = rows.map((r) => ({ r, stepRows: ((parseJson(r.steps) as unknown[][] | null) ?? []).map(viewStepRow) }));
  const partyNames = await names.namesOf(parsed.flatMap(({ stepRows }) => stepRows.flatMap((sr) => (typeof sr.party === 'string' ? [sr.party] : []))));
  const out = new Map<string, UnitView>();
  for (const { r, stepRows } of parsed) {
    const proofNodes = new Map<number, Uint8Array>();
    for (const n of (parseJson(r.proof_nodes) as { l: number; i: number; h: string }[] | null) ?? []) {
      proofNodes.set(nodeKey({ level: Number(n.l), index: Number(n.i) }), new Uint8Array(Buffer.from(n.h, 'base64')));
    }
    const state = mapState(parseJson(r.state) as Row);
    out.set(state.epc, {
      state,
      steps: stepRows.map((sr) => ({ step: mapStep(sr), facts: mapPedigreeFacts(sr) })),
      partyNames,
      alerts: ((parseJson(r.alerts) as Row[] | null) ?? []).map(mapAlert),
      latestEntryBytes: toBytes(r.latest_bytes),
      proofNodes,
    });
  }
  return out;
}

export interface SqlCustodyStoreOptions {
  /**
   * How many of the lowest levels of an inclusion proof the unit view reads with the unit: the levels below the
   * ledger's in-memory node cache (tree-node-cache.ts `level`; default 8).
   */
  readonly proofLevelsRead?: () => number;
}

export function createSqlCustodyStore(db: SqlClient, options: SqlCustodyStoreOptions = {}): CustodyStore {
  const lowLevels = options.proofLevelsRead ?? (() => 8);
  const partyNames = new PartyNames(db);
  // On PostgreSQL, four reads of at most 16 units at once: each backend answers a read on one core, so small reads
  // keep both cores' backends busy and hand the main thread answers in small bursts (bench/verify: 3,356 -> 4,208-4,307
  // verifications/s against two reads of 64). PGlite answers one read at a time: fewer, larger reads.
  const views = new BatchLoader<string, UnitView, number>(
    (epcs, proofSize) => readUnitViews(db, partyNames, epcs, proofSize, lowLevels()),
    db.dialect === 'postgres' ? { maxInFlight: 4, maxBatch: 16 } : {},
  );
  return {
    apply(fn) {
      return db.transaction(async (tx) => {
        // The projection is rebuilt from the log and its watermark commits with it: a commit lost in a crash is
        // re-applied from the log on start, so it need not wait for the WAL flush (PostgreSQL docs §30.4).
        await tx.query(`SELECT pg_advisory_xact_lock($1), set_config('synchronous_commit', 'off', true)`, [RULES_LOCK], { prepare: true });
        return fn(custodyTransaction(tx));
      });
    },
    async reset() {
      await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [RULES_LOCK]);
        await tx.query('TRUNCATE unit_state, unit_steps, custody_events');
        await tx.query(
          'INSERT INTO custody_progress (id, applied_through) VALUES (1, -1) ON CONFLICT (id) DO UPDATE SET applied_through = -1',
        );
      });
    },
    unitView: (epc, proofSize) => views.load(epc, proofSize ?? 0),
    async gtinKnown(gtin) {
      const rows = await db.query('SELECT 1 AS known FROM unit_state WHERE gtin = $1 AND commissioned_idx IS NOT NULL LIMIT 1', [gtin]);
      return rows.length > 0;
    },
    async containerTree(epc, maxDepth) {
      const rows = await db.query<Row>(
        `WITH RECURSIVE tree(epc, depth) AS (
           SELECT epc, 0 FROM unit_state WHERE epc = $1
           UNION
           SELECT u.epc, t.depth + 1 FROM unit_state u JOIN tree t ON u.container = t.epc WHERE t.depth < $2
         )
         SELECT ${STATE_SELECT} FROM unit_state WHERE epc IN (SELECT epc FROM tree)`,
        [epc, maxDepth],
      );
      const states = rows.map(mapState);
      const byContainer = new Map<string, UnitState[]>();
      for (const s of states) {
        if (s.container === null || s.epc === epc) continue;
        let list = byContainer.get(s.container);
        if (!list) byContainer.set(s.container, (list = []));
        list.push(s);
      }
      const root = states.find((s) => s.epc === epc);
      if (!root) return undefined;
      const seen = new Set<string>();
      const build = (s: UnitState): ContainerNode => {
        seen.add(s.epc);
        const contents = (byContainer.get(s.epc) ?? []).filter((c) => !seen.has(c.epc)).sort((a, b) => (a.epc < b.epc ? -1 : 1));
        return { state: s, contents: contents.map(build) };
      };
      return build(root);
    },
    async listAlerts(f) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.code !== undefined) where.push(`code = $${params.push(f.code)}`);
      if (f.gtin !== undefined) where.push(`gtin = $${params.push(f.gtin)}`);
      if (f.site !== undefined) where.push(`$${params.push(f.site)} = ANY(sites)`);
      if (f.epc !== undefined) where.push(`epc = $${params.push(f.epc)}`);
      if (f.since !== undefined) where.push(`raised_at >= $${params.push(f.since)}::timestamptz`);
      if (f.status === 'unresolved') where.push(`status <> 'resolved'`);
      else if (f.status !== undefined) where.push(`status = $${params.push(f.status)}`);
      if (f.beforeId !== undefined) where.push(`id < $${params.push(f.beforeId)}`);
      params.push(f.limit);
      const rows = await db.query<Row>(
        `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(mapAlert);
    },
    async findAlert(id) {
      const rows = await db.query<Row>('SELECT * FROM alerts WHERE id = $1', [id]);
      if (!rows[0]) return undefined;
      const actions = await db.query<Row>('SELECT * FROM alert_actions WHERE alert_id = $1 ORDER BY id', [id]);
      return { ...mapAlert(rows[0]), actions: actions.map(mapAction) };
    },
    async recordAlertAction(id, a, status) {
      return db.transaction(async (tx) => {
        const rows = await tx.query<Row>('UPDATE alerts SET status = $2, updated_at = now() WHERE id = $1 RETURNING *', [id, status]);
        if (!rows[0]) return undefined;
        await tx.query(
          'INSERT INTO alert_actions (alert_id, action, note, actor_party, actor_role, token_id) VALUES ($1, $2, $3, $4, $5, $6)',
          [id, a.action, a.note, a.actorParty, a.actorRole, a.tokenId],
        );
        const actions = await tx.query<Row>('SELECT * FROM alert_actions WHERE alert_id = $1 ORDER BY id', [id]);
        return { ...mapAlert(rows[0]), actions: actions.map(mapAction) };
      });
    },
    async raiseUntriggered(a) {
      const open = await db.query(
        `SELECT 1 AS found FROM alerts WHERE epc = $1 AND code = $2 AND trigger_idx IS NULL AND status <> 'resolved' LIMIT 1`,
        [a.epc, a.code],
      );
      if (open.length > 0) return undefined;
      const [gtin, serial, sscc] = keyParts(a.epc);
      const rows = await db.query<Row>(
        `INSERT INTO alerts (code, severity, epc, gtin, serial, sscc, trigger_idx, evidence, sites, detail, event_time, status)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7::bigint[], $8::text[], $9, $10::timestamptz, 'open') RETURNING *`,
        [a.code, ALERT_SEVERITY[a.code], a.epc, gtin, serial, sscc, a.evidence, a.sites, a.detail, a.eventTime],
      );
      return rows[0] ? mapAlert(rows[0]) : undefined;
    },
    async resolveRuleAlertsNotIn(keep, note) {
      const rows = await db.query<Row>(`SELECT * FROM alerts WHERE trigger_idx IS NOT NULL AND status <> 'resolved'`);
      let n = 0;
      for (const a of rows.map(mapAlert)) {
        if (keep.has(`${a.epc}\u0000${a.code}\u0000${a.triggerIndex ?? ''}`)) continue;
        await db.query(`UPDATE alerts SET status = 'resolved', updated_at = now() WHERE id = $1`, [a.id]);
        await db.query(`INSERT INTO alert_actions (alert_id, action, note) VALUES ($1, 'auto_resolve', $2)`, [a.id, note]);
        n++;
      }
      return n;
    },
  };
}
