// RegistryStore on SQL: parties, locations, devices with their key history and MQTT credentials, tokens.
import type {
  DeviceCredentialRecord,
  DeviceKey,
  DeviceRecord,
  PartyRecord,
  PartyRole,
  RegistryStore,
} from '../../domain/ports.js';
import type { SqlClient } from './sql-client.js';

interface DeviceRow {
  device: string;
  location: string;
  party: string;
  status: 'active' | 'revoked';
  keys: { keyNo: number; publicKey: string; fromSeq: number }[] | string | null;
}

function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.replace(/^\\x/, ''), 'hex'));
}

function mapDevice(r: DeviceRow): DeviceRecord {
  const keys = (typeof r.keys === 'string' ? JSON.parse(r.keys) : r.keys ?? []) as { keyNo: number; publicKey: string; fromSeq: number }[];
  return {
    device: r.device,
    location: r.location,
    party: r.party,
    status: r.status,
    keys: keys
      .map((k): DeviceKey => ({ keyNo: Number(k.keyNo), publicKey: hexToBytes(k.publicKey), fromSeq: Number(k.fromSeq) }))
      .sort((a, b) => a.fromSeq - b.fromSeq),
  };
}

const DEVICE_SELECT = `
  SELECT d.device, d.location, l.party, d.status,
    (SELECT json_agg(json_build_object('keyNo', k.key_no, 'publicKey', encode(k.public_key, 'hex'), 'fromSeq', k.from_seq))
       FROM device_keys k WHERE k.device = d.device) AS keys
  FROM devices d JOIN locations l ON l.sgln = d.location`;

const CREDENTIAL_SELECT = `
  SELECT d.device, d.status, d.mqtt_password_hash, l.party AS site_gln
  FROM devices d JOIN locations l ON l.sgln = d.location`;

function mapCredential(r: { device: string; status: 'active' | 'revoked'; mqtt_password_hash: string; site_gln: string }): DeviceCredentialRecord {
  return { device: r.device, status: r.status, mqttPasswordHash: r.mqtt_password_hash, siteGln: r.site_gln };
}

/** True when the statement inserted a row; false on a unique-key conflict. */
async function insertIfAbsent(db: SqlClient, text: string, params: readonly unknown[]): Promise<boolean> {
  const rows = await db.query(`${text} ON CONFLICT DO NOTHING RETURNING 1 AS inserted`, params);
  return rows.length === 1;
}

export function createSqlRegistryStore(db: SqlClient): RegistryStore {
  return {
    insertParty: (p) => insertIfAbsent(db, 'INSERT INTO parties (gln, name, role) VALUES ($1, $2, $3)', [p.gln, p.name, p.role]),
    async findParty(gln) {
      const rows = await db.query<PartyRecord>('SELECT gln, name, role FROM parties WHERE gln = $1', [gln]);
      return rows[0];
    },
    listParties: () => db.query<PartyRecord>('SELECT gln, name, role FROM parties ORDER BY gln'),
    insertLocation: (l) =>
      insertIfAbsent(db, 'INSERT INTO locations (sgln, party, name) VALUES ($1, $2, $3)', [l.sgln, l.party, l.name]),
    async findLocation(sgln) {
      const rows = await db.query<{ sgln: string; party: string; name: string }>('SELECT sgln, party, name FROM locations WHERE sgln = $1', [sgln]);
      return rows[0];
    },
    listLocations: () => db.query<{ sgln: string; party: string; name: string }>('SELECT sgln, party, name FROM locations ORDER BY sgln'),
    async insertDevice(d) {
      return db.transaction(async (tx) => {
        const rows = await tx.query(
          `INSERT INTO devices (device, location, status, mqtt_password_hash) VALUES ($1, $2, 'active', $3)
           ON CONFLICT DO NOTHING RETURNING 1 AS inserted`,
          [d.device, d.location, d.mqttPasswordHash],
        );
        if (rows.length !== 1) return false;
        await tx.query('INSERT INTO device_keys (device, key_no, public_key, from_seq) VALUES ($1, 1, $2, 0)', [d.device, d.publicKey]);
        return true;
      });
    },
    async findDevice(device) {
      const rows = await db.query<DeviceRow>(`${DEVICE_SELECT} WHERE d.device = $1`, [device]);
      return rows[0] ? mapDevice(rows[0]) : undefined;
    },
    async listDevices() {
      const rows = await db.query<DeviceRow>(`${DEVICE_SELECT} ORDER BY d.device`);
      return rows.map(mapDevice);
    },
    async setDeviceStatus(device, status) {
      const rows = await db.query(
        `UPDATE devices SET status = $2, revoked_at = CASE WHEN $2 = 'revoked' THEN now() ELSE NULL END WHERE device = $1 RETURNING 1 AS updated`,
        [device, status],
      );
      return rows.length === 1;
    },
    async addDeviceKey(device, publicKey, fromSeq) {
      return db.transaction(async (tx) => {
        const rows = await tx.query<{ key_no: number }>(
          `INSERT INTO device_keys (device, key_no, public_key, from_seq)
           SELECT $1, COALESCE(MAX(key_no), 0) + 1, $2, $3 FROM device_keys WHERE device = $1
           RETURNING key_no`,
          [device, publicKey, fromSeq],
        );
        return { keyNo: Number(rows[0]?.key_no), publicKey, fromSeq };
      });
    },
    async highestSeq(device) {
      const rows = await db.query<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM entries WHERE device = $1', [device]);
      const seq = rows[0]?.seq;
      return seq === null || seq === undefined ? -1 : Number(seq);
    },
    async findDeviceCredential(device) {
      const rows = await db.query<{ device: string; status: 'active' | 'revoked'; mqtt_password_hash: string; site_gln: string }>(
        `${CREDENTIAL_SELECT} WHERE d.device = $1`,
        [device],
      );
      return rows[0] ? mapCredential(rows[0]) : undefined;
    },
    async listDeviceCredentials() {
      const rows = await db.query<{ device: string; status: 'active' | 'revoked'; mqtt_password_hash: string; site_gln: string }>(
        `${CREDENTIAL_SELECT} ORDER BY d.device`,
      );
      return rows.map(mapCredential);
    },
    async insertToken(t) {
      const rows = await db.query<{ id: number }>('INSERT INTO tokens (token_hash, party, role) VALUES ($1, $2, $3) RETURNING id', [
        t.tokenHash,
        t.party,
        t.role,
      ]);
      return Number(rows[0]?.id);
    },
    async findToken(tokenHash) {
      const rows = await db.query<{ id: number; party: string | null; role: PartyRole; revoked: boolean }>(
        'SELECT id, party, role, revoked FROM tokens WHERE token_hash = $1',
        [tokenHash],
        { prepare: true }, // every authenticated request
      );
      return rows[0];
    },
    async revokeToken(id) {
      const rows = await db.query('UPDATE tokens SET revoked = true WHERE id = $1 RETURNING 1 AS updated', [id]);
      return rows.length === 1;
    },
    async countTokens(role) {
      const rows = await db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM tokens WHERE role = $1 AND NOT revoked', [role]);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
