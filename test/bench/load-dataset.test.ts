// The benchmark data set loader (bench/lib/load-dataset.ts) writes an honest ledger: every entry is an envelope the
// ledger would accept from that device (signature, EPCIS schema, event hash ID, location), the log audits clean against
// its signed checkpoint, each unit's chain links its five entries, and the custody projection is exactly what the
// server's rules rebuild from the log. PostgreSQL only (the loader streams COPY through psql).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519NoteVerifier } from '../../schemas/signing/signed-note.js';
import { topics } from '../../schemas/topics.js';
import { createSqlCustodyStore } from '../../server/adapters/db/custody-store.js';
import { createSqlLedgerStore } from '../../server/adapters/db/ledger-store.js';
import { createSqlRegistryStore } from '../../server/adapters/db/registry-store.js';
import { openSqlClient, type SqlClient } from '../../server/adapters/db/sql-client.js';
import { loadOrCreateLedgerKey } from '../../server/adapters/ledger-key-file.js';
import { createLedgerSigner } from '../../server/adapters/ledger-signer.js';
import { auditLog } from '../../server/domain/audit-log.js';
import { checkEnvelopeOf } from '../../server/domain/check-envelope.js';
import { rebuildCustodyState } from '../../server/domain/rebuild-custody-state.js';
import { loadDataset, loadedDataset, type LoadResult } from '../../bench/lib/load-dataset.js';

const ADMIN_URL = process.env.PEDIGREE_TEST_DATABASE_URL;
const UNITS = 2000;
const ORIGIN = 'pedigree.test/load-dataset';

describe.skipIf(ADMIN_URL === undefined)('a data set loaded for the benchmarks (2,000 units)', () => {
  const database = `pedigree_test_load_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'pedigree-load-'));
  const options = {
    adminUrl: ADMIN_URL!,
    database,
    units: UNITS,
    distributors: 3,
    pharmacies: 7,
    lotSize: 500,
    keyFile: join(dir, 'ledger.key'),
    origin: ORIGIN,
    manifestFile: join(dir, 'dataset.json'),
  };
  let loaded: LoadResult;
  let sql: SqlClient;
  const dbUrl = (() => {
    const u = new URL(ADMIN_URL ?? 'postgres://x/y');
    u.pathname = `/${database}`;
    return u.toString();
  })();

  beforeAll(async () => {
    loaded = await loadDataset({ ...options, workers: 2, log: () => undefined });
    sql = await openSqlClient({ databaseUrl: dbUrl, poolSize: 2 });
  }, 120_000);

  afterAll(async () => {
    await sql?.close();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has five entries a unit, across the manufacturer, the distributors and the pharmacies', async () => {
    expect(loaded.entries).toBe(UNITS * 5);
    expect(loaded.manifest.sites.map((s) => s.role)).toEqual(['manufacturer', ...Array(3).fill('distributor'), ...Array(7).fill('pharmacy')]);
    const lots = await sql.query(`SELECT lot, count(*)::int AS n FROM unit_state GROUP BY lot ORDER BY lot`);
    expect(lots).toEqual([1, 2, 3, 4].map((l) => ({ lot: `LOT${l}`, n: 500 })));
    const perPharmacy = await sql.query(`SELECT custodian, count(*)::int AS n FROM unit_state WHERE state = 'active' GROUP BY custodian`);
    expect(perPharmacy.map((r) => r.custodian).sort()).toEqual(loaded.manifest.sites.filter((s) => s.role === 'pharmacy').map((s) => s.gln).sort());
    // Reused as it is while it matches the options; another layout loads again.
    expect(await loadedDataset(options)).toMatchObject({ entries: UNITS * 5, database });
    expect(await loadedDataset({ ...options, pharmacies: 8 })).toBeUndefined();
  });

  it('passes the audit: leaf hashes, every signature, the tree and the signed checkpoint', async () => {
    const signer = createLedgerSigner({ origin: ORIGIN, secretKey: loadOrCreateLedgerKey(options.keyFile).secretKey });
    const result = await auditLog({
      store: createSqlLedgerStore(sql),
      devices: createSqlRegistryStore(sql),
      origin: ORIGIN,
      logVerifier: ed25519NoteVerifier({ name: ORIGIN, publicKey: signer.publicKey }),
      ledgerPublicKey: signer.publicKey,
    });
    expect(result).toEqual({ ok: true, entries: UNITS * 5, signatures: UNITS * 5, nodes: expect.any(Number), checkpoints: 1 });
  }, 120_000);

  it('holds only envelopes the ledger would accept, with their hash ID, identifiers and party as stored', async () => {
    const registry = createSqlRegistryStore(sql);
    const devices = new Map((await registry.listDevices()).map((d) => [d.device, d]));
    const rows = await sql.query('SELECT idx, bytes, device, seq, event_id, party FROM entries ORDER BY idx');
    expect(rows).toHaveLength(UNITS * 5);
    const seqs = new Map<string, number[]>();
    for (const r of rows) {
      const device = String(r.device);
      const checked = checkEnvelopeOf(topics.deviceEvents(device), new Uint8Array(r.bytes as Buffer), devices.get(device), { maxPayloadBytes: 65536, keyObject: (k) => k.publicKey });
      if (!checked.ok) throw new Error(`entry ${r.idx}: ${checked.code} ${checked.detail}`);
      expect(checked.candidate.eventId).toBe(r.event_id);
      expect(checked.candidate.party).toBe(r.party);
      expect(checked.candidate.seq).toBe(Number(r.seq));
      seqs.set(device, [...(seqs.get(device) ?? []), Number(r.seq)]);
    }
    // Each device's seqs run 0, 1, 2, … in log order: no gap a ledger would report.
    for (const [device, list] of seqs) expect(list, device).toEqual(list.map((_, i) => i));
  }, 120_000);

  it('chains each unit through its five entries, newest first from its head', async () => {
    const broken = await sql.query(
      `SELECT h.epc FROM unit_heads h
       WHERE (SELECT count(*) FROM entry_units e WHERE e.epc = h.epc) <> 5
          OR (SELECT count(*) FROM entry_units e WHERE e.epc = h.epc AND e.prev_idx IS NULL) <> 1
          OR h.last_idx <> (SELECT max(entry_idx) FROM entry_units e WHERE e.epc = h.epc)
          OR EXISTS (SELECT 1 FROM entry_units e WHERE e.epc = h.epc AND e.prev_idx IS NOT NULL
                     AND e.prev_idx <> (SELECT max(p.entry_idx) FROM entry_units p WHERE p.epc = e.epc AND p.entry_idx < e.entry_idx))`,
    );
    expect(broken).toEqual([]);
  });

  it('has the custody projection the server’s rules rebuild from the log', async () => {
    const dump = async () => ({
      states: await sql.query('SELECT * FROM unit_state ORDER BY epc'),
      steps: await sql.query('SELECT * FROM unit_steps ORDER BY epc, entry_idx'),
      facts: await sql.query('SELECT * FROM custody_events ORDER BY idx'),
      alerts: await sql.query('SELECT count(*)::int AS n FROM alerts'),
      progress: await sql.query('SELECT applied_through FROM custody_progress'),
    });
    const before = await dump();
    const rebuilt = await rebuildCustodyState({ custody: createSqlCustodyStore(sql), store: createSqlLedgerStore(sql) });
    expect(rebuilt).toMatchObject({ entries: UNITS * 5, alertsRaised: 0 });
    expect(await dump()).toEqual(before);
  }, 120_000);
});
