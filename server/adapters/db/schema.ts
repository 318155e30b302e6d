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
  },
  (t) => [
    uniqueIndex('entries_device_seq').on(t.device, t.seq),
    uniqueIndex('entries_event_id').on(t.eventId),
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
