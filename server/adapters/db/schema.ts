// The one drizzle schema (PostgreSQL dialect) shared by PostgreSQL and PGlite (DESIGN.md §10).
import { customType, pgTable, text, bigint, smallint, integer, timestamp, jsonb, primaryKey, uniqueIndex, index, serial, boolean } from 'drizzle-orm/pg-core';

/** drizzle has no bytea column type: signed bytes and hashes are stored verbatim as bytea. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

const int8 = (name: string) => bigint(name, { mode: 'number' });
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow();

export const parties = pgTable('parties', {
  gln: text('gln').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  createdAt: createdAt(),
});

export const locations = pgTable('locations', {
  sgln: text('sgln').primaryKey(),
  party: text('party').notNull().references(() => parties.gln),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const devices = pgTable('devices', {
  device: text('device').primaryKey(),
  location: text('location').notNull().references(() => locations.sgln),
  status: text('status').notNull(), // active | revoked
  mqttPasswordHash: text('mqtt_password_hash').notNull(),
  createdAt: createdAt(),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'string' }),
});

/**
 * A device's keys over time. Key n is valid for envelopes with fromSeq <= seq < the next key's fromSeq,
 * so after a rotation the old key still verifies what it signed before (an outbox draining late).
 */
export const deviceKeys = pgTable(
  'device_keys',
  {
    device: text('device').notNull().references(() => devices.device),
    keyNo: integer('key_no').notNull(),
    publicKey: bytea('public_key').notNull(),
    fromSeq: int8('from_seq').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.device, t.keyNo] })],
);

/** The log (DESIGN.md §5): one row per entry, exact signed bytes, contiguous 0-based index. */
export const entries = pgTable(
  'entries',
  {
    index: int8('idx').primaryKey(),
    leafHash: bytea('leaf_hash').notNull(),
    bytes: bytea('bytes').notNull(),
    kind: text('kind').notNull(), // device | ledger | capture
    device: text('device'),
    seq: int8('seq'),
    eventId: text('event_id'),
    eventTime: timestamp('event_time', { withTimezone: true, mode: 'string' }),
    /** Query copy only: jsonb reorders keys, so `bytes` is what is verified and hashed. */
    event: jsonb('event'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    /** GLN of the party that recorded the entry (its device's, or the capturing token's): visibility (issue 6). */
    party: text('party'),
  },
  (t) => [
    uniqueIndex('entries_device_seq').on(t.device, t.seq),
    uniqueIndex('entries_event_id').on(t.eventId),
    // EPCIS queries (issue 6): containment (@>) on the query copy, eventTime ranges, recordTime (nearly in index order: BRIN), party.
    // Its pending list is merged by a sweeper of its own (gin-pending-sweeper.ts), not by the log's writer: 32 MB
    // leaves the sweeper room to fall behind before an insert merges it.
    index('entries_event').using('gin', t.event.op('jsonb_path_ops')).with({ gin_pending_list_limit: 32768 }),
    index('entries_event_time').on(t.eventTime),
    index('entries_received_at').using('brin', t.receivedAt),
    index('entries_party').on(t.party),
  ],
);

/** Stored complete-subtree hashes: (level, index) covers leaves [index·2^level, (index+1)·2^level). */
export const treeNodes = pgTable(
  'tree_nodes',
  {
    level: smallint('level').notNull(),
    index: int8('idx').notNull(),
    hash: bytea('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

/** Per unit/container chain: each entry that touches an identifier links to that identifier's previous entry. */
export const entryUnits = pgTable(
  'entry_units',
  {
    epc: text('epc').notNull(),
    entryIndex: int8('entry_idx').notNull(),
    prevIndex: int8('prev_idx'),
  },
  (t) => [primaryKey({ columns: [t.epc, t.entryIndex] })],
);

export const unitHeads = pgTable('unit_heads', {
  epc: text('epc').primaryKey(),
  lastIndex: int8('last_idx').notNull(),
});

export const checkpoints = pgTable('checkpoints', {
  size: int8('size').primaryKey(),
  root: bytea('root').notNull(),
  note: text('note').notNull(),
  createdAt: createdAt(),
});

export const rejections = pgTable(
  'rejections',
  {
    id: serial('id').primaryKey(),
    device: text('device'),
    seq: int8('seq'),
    code: text('code').notNull(),
    detail: text('detail'),
    topic: text('topic').notNull(),
    raw: bytea('raw').notNull(),
    rawLength: integer('raw_length').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [index('rejections_device').on(t.device, t.id)],
);

/** Bearer tokens bound to a party and role; only the SHA-256 of a token is stored. */
export const tokens = pgTable('tokens', {
  id: serial('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  party: text('party'),
  role: text('role').notNull(),
  createdAt: createdAt(),
  revoked: boolean('revoked').notNull().default(false),
});

// ---- Custody rules (DESIGN.md §6): a projection of the log, rebuildable from the entries alone. ----

/** The custody facts of each entry, parsed once from its event: what the rules fold instead of re-reading JSON. */
export const custodyEvents = pgTable('custody_events', {
  index: int8('idx').primaryKey(),
  eventTime: timestamp('event_time', { withTimezone: true, mode: 'string' }).notNull(),
  /** The local date at the read point (eventTime in eventTimeZoneOffset), for expiry checks. */
  eventDate: text('event_date').notNull(),
  type: text('type').notNull(),
  action: text('action'),
  bizStep: text('biz_step'),
  disposition: text('disposition'),
  /** GLN of the party whose device recorded the event (null for ledger entries). */
  party: text('party'),
  location: text('location'),
  sourceParty: text('source_party'),
  destinationParty: text('destination_party'),
  destinationLocation: text('destination_location'),
  parent: text('parent'),
  /** ILMD lot and expiry (commissioning). */
  lot: text('lot'),
  expiry: text('expiry'),
  /** For an errorDeclaration: the entry it declares erroneous. */
  corrects: int8('corrects'),
  /** Set when a later errorDeclaration retracts this entry. */
  retractedBy: int8('retracted_by'),
});

/** Every identifier an entry affects, directly or through a container (`via`): each unit's custody steps. */
export const unitSteps = pgTable(
  'unit_steps',
  {
    epc: text('epc').notNull(),
    entryIndex: int8('entry_idx').notNull(),
    eventTime: timestamp('event_time', { withTimezone: true, mode: 'string' }).notNull(),
    /** object | parent | child | via */
    role: text('role').notNull(),
    via: text('via'),
    /** Lot and expiry as scanned in this event (a Digital Link's (10) and (17)), if any. */
    lot: text('lot'),
    expiry: text('expiry'),
    // The entry's facts a pedigree shows, copied from custody_events (retracted_by kept equal to it): a verification
    // reads a unit's steps without one random custody_events page per step (bench/RESULTS.md, session 5).
    bizStep: text('biz_step'),
    disposition: text('disposition'),
    party: text('party'),
    location: text('location'),
    destinationParty: text('destination_party'),
    corrects: int8('corrects'),
    retractedBy: int8('retracted_by'),
  },
  // The primary key also INCLUDEs every other column (migration 0007, by hand: drizzle-kit has no INCLUDE), so a
  // verification reads a unit's steps from the index alone. A column added here must be added there too.
  (t) => [primaryKey({ columns: [t.epc, t.entryIndex] }), index('unit_steps_entry').on(t.entryIndex)],
);

/** Current state of each unit and container (DESIGN.md §6). */
export const unitState = pgTable(
  'unit_state',
  {
    epc: text('epc').primaryKey(),
    kind: text('kind').notNull(), // unit | container
    gtin: text('gtin'),
    serial: text('serial'),
    sscc: text('sscc'),
    state: text('state').notNull(),
    commissionedIndex: int8('commissioned_idx'),
    lot: text('lot'),
    expiry: text('expiry'),
    owner: text('owner'),
    custodian: text('custodian'),
    location: text('location'),
    custodyIndex: int8('custody_idx'),
    destinationParty: text('destination_party'),
    destinationLocation: text('destination_location'),
    shipIndex: int8('ship_idx'),
    terminalIndex: int8('terminal_idx'),
    container: text('container'),
    containerIndex: int8('container_idx'),
    recalled: boolean('recalled').notNull().default(false),
    recallIndex: int8('recall_idx'),
    quarantined: boolean('quarantined').notNull().default(false),
    unknownAlerted: boolean('unknown_alerted').notNull().default(false),
    lastIndex: int8('last_idx').notNull(),
    lastEventTime: timestamp('last_event_time', { withTimezone: true, mode: 'string' }).notNull(),
  },
  // (gtin, lot): a recall's scope (DESIGN.md §8) reads one lot of a GTIN without scanning the GTIN's other lots.
  (t) => [index('unit_state_container').on(t.container), index('unit_state_gtin_lot').on(t.gtin, t.lot)],
);

/** Alerts raised by the rules (trigger = the suspect entry) or by a verification (no trigger). */
export const alerts = pgTable(
  'alerts',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    severity: text('severity').notNull(),
    epc: text('epc').notNull(),
    gtin: text('gtin'),
    serial: text('serial'),
    sscc: text('sscc'),
    triggerIndex: int8('trigger_idx'),
    evidence: int8('evidence').array().notNull(),
    /** GLNs of the parties (sites) concerned: each is told on pedigree/v1/sites/{gln}/alerts. */
    sites: text('sites').array().notNull(),
    detail: text('detail').notNull(),
    eventTime: timestamp('event_time', { withTimezone: true, mode: 'string' }),
    status: text('status').notNull(), // open | acknowledged | resolved
    resolvedBy: int8('resolved_by').array(),
    raisedAt: timestamp('raised_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('alerts_key').on(t.epc, t.code, t.triggerIndex),
    index('alerts_epc').on(t.epc),
    index('alerts_gtin').on(t.gtin),
  ],
);

/** What was done to an alert, with the note: acknowledged, resolved (by a person) or auto-resolved (by an entry). */
export const alertActions = pgTable(
  'alert_actions',
  {
    id: serial('id').primaryKey(),
    alertId: integer('alert_id').notNull(),
    action: text('action').notNull(), // acknowledge | resolve | auto_resolve
    note: text('note').notNull(),
    actorParty: text('actor_party'),
    actorRole: text('actor_role'),
    tokenId: integer('token_id'),
    entries: int8('entries').array(),
    at: timestamp('at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [index('alert_actions_alert').on(t.alertId, t.id)],
);

/** The projection's watermark: every entry with index <= appliedThrough has been applied (single row, id 1). */
export const custodyProgress = pgTable('custody_progress', {
  id: smallint('id').primaryKey(),
  appliedThrough: int8('applied_through').notNull(),
});

// ---- Access control and the EPCIS 2.0 interface (DESIGN.md §9; issue 6). ----

/** GS1 Company Prefixes an admin registered to a manufacturer: the GTINs it owns (visibility-policy.ts). */
export const partyCompanyPrefixes = pgTable(
  'party_company_prefixes',
  {
    party: text('party').notNull().references(() => parties.gln),
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.party, t.prefix] }), index('party_company_prefixes_prefix').on(t.prefix)],
);

/** Every request made with a regulator token: who, what, when (DESIGN.md §9). Listed by admins. */
export const regulatorQueries = pgTable(
  'regulator_queries',
  {
    id: serial('id').primaryKey(),
    tokenId: integer('token_id').notNull(),
    party: text('party'),
    method: text('method').notNull(),
    target: text('target').notNull(),
    status: smallint('status').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [index('regulator_queries_party').on(t.party, t.id)],
);

/** EPCIS capture jobs (POST /epcis/capture): state, errors and per-event outcomes, read by GET /epcis/capture/{id}. */
export const captureJobs = pgTable('capture_jobs', {
  captureId: text('capture_id').primaryKey(),
  party: text('party').notNull(),
  tokenId: integer('token_id').notNull(),
  behaviour: text('behaviour').notNull(), // rollback | proceed
  eventCount: integer('event_count').notNull(),
  running: boolean('running').notNull().default(true),
  success: boolean('success').notNull().default(true),
  errors: jsonb('errors').notNull(),
  outcomes: jsonb('outcomes').notNull(),
  createdAt: createdAt(),
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'string' }),
});

// ---- Recalls (DESIGN.md §8; issue 6). ----

/** Recalls as issued; the scope is also what the custody rules consult to recall units commissioned later. */
export const recalls = pgTable(
  'recalls',
  {
    id: text('id').primaryKey(),
    gtin: text('gtin').notNull(),
    lots: text('lots').array(),
    serials: text('serials').array(),
    expiryFrom: text('expiry_from'),
    expiryTo: text('expiry_to'),
    class: text('class').notNull(), // I | II | III (21 CFR 7.3)
    reason: text('reason').notNull(),
    instructions: text('instructions'),
    issuer: text('issuer'),
    issuerRole: text('issuer_role').notNull(),
    tokenId: integer('token_id'),
    issuedAt: timestamp('issued_at', { withTimezone: true, mode: 'string' }).notNull(),
    /** The log entry of the recall; null only between the scope's insert and the append. */
    entryIndex: int8('entry_idx'),
    notice: jsonb('notice').notNull(),
    status: text('status').notNull(), // open | closed
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'string' }),
    closedBy: text('closed_by'),
    closeReason: text('close_reason'),
    closeOverride: boolean('close_override').notNull().default(false),
  },
  (t) => [index('recalls_gtin').on(t.gtin)],
);

/** The sites a recall was sent to, and their acknowledgements. */
export const recallSites = pgTable(
  'recall_sites',
  {
    recallId: text('recall_id').notNull(),
    site: text('site').notNull(),
    notifiedAt: timestamp('notified_at', { withTimezone: true, mode: 'string' }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'string' }),
    ackTokenId: integer('ack_token_id'),
    /** The gateway whose signed MQTT message acknowledged (schemas/signing/device-message.ts), if not a token. */
    ackDevice: text('ack_device'),
    ackNote: text('ack_note'),
  },
  (t) => [primaryKey({ columns: [t.recallId, t.site] })],
);
