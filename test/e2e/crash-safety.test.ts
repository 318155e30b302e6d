// Crash safety (ledger issue): a publisher that resends until it holds a receipt sends 20,000 events while the
// ledger is killed with SIGKILL twice and restarted; afterwards every event is in the log exactly once and audit is clean.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { generateKeyPair, encodePublicKey } from '../../schemas/signing/keys.js';
import { signEnvelope } from '../../schemas/signing/envelope.js';
import { parseVkey } from '../../schemas/signing/signed-note.js';
import { openSqlClient } from '../../server/adapters/db/sql-client.js';
import { freePort, spawnLedger, type LedgerProcess } from '../harness/ledger-process.js';
import { runResendingPublisher } from '../harness/resending-publisher.js';
import { createTestDatabase } from '../harness/databases.js';
import { commissioningEvent } from '../harness/test-events.js';

const run = promisify(execFile);
const ADMIN = 'crash-test-admin-token-0123456789';
const DEVICES = 4;
const PER_DEVICE = 5000;
const stores = process.env.PEDIGREE_TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(stores)('crash safety on %s', (store) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-crash-'));
  let dropDb: (() => Promise<void>) | undefined;
  let ledger: LedgerProcess | undefined;
  afterAll(async () => {
    await ledger?.kill('SIGKILL');
    if (dropDb) await dropDb();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every event exactly once through two SIGKILLs, and audit stays clean', { timeout: 600_000 }, async () => {
    const env: Record<string, string> = {
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_HTTP_PORT: String(await freePort()),
      PEDIGREE_MQTT_PORT: String(await freePort()),
      PEDIGREE_ADMIN_TOKEN: ADMIN,
    };
    if (store === 'postgres') {
      const db = await createTestDatabase();
      env.PEDIGREE_DATABASE_URL = db.url;
      dropDb = db.drop;
    }
    ledger = await spawnLedger(env);
    const call = async (path: string, body: unknown) => {
      const r = await fetch(`${ledger!.httpUrl}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${path}: ${await r.text()}\n${ledger!.output()}`);
      return r.json() as Promise<any>;
    };
    const vkey = parseVkey((await (await fetch(`${ledger.httpUrl}/v1/verifier-key`)).text()).trim());
    if (!vkey.ok) throw new Error(vkey.message);
    const gln = '9521234500001';
    await call('/v1/parties', { gln, name: 'Crash Pharma', role: 'manufacturer' });
    const location = `https://id.gs1.org/414/${gln}/254/line`;
    await call('/v1/locations', { sgln: location, party: gln, name: 'Line' });

    const publishers = [];
    let receipted = 0;
    for (let d = 0; d < DEVICES; d++) {
      const device = `gw-crash-${d}`;
      const keys = generateKeyPair();
      const enrolled = await call('/v1/devices', { device, location, publicKey: encodePublicKey(keys.publicKey) });
      const payloads = Array.from({ length: PER_DEVICE }, (_, i) => ({
        seq: i + 1,
        payload: JSON.stringify(
          signEnvelope(
            { v: 1, device, seq: i + 1, event: commissioningEvent({ gtin: '09506000134352', serials: [`C${d}-${i}`], location }) },
            keys.secretKey,
          ),
        ),
      }));
      publishers.push(
        runResendingPublisher(
          { mqttUrl: ledger.mqttUrl, device, password: enrolled.mqtt.password, ledgerPublicKey: vkey.value.publicKey, payloads, window: 300 },
          () => receipted++,
        ),
      );
    }

    const total = DEVICES * PER_DEVICE;
    for (const killAt of [Math.floor(total * 0.25), Math.floor(total * 0.6)]) {
      while (receipted < killAt) await new Promise((r) => setTimeout(r, 20));
      await ledger.kill('SIGKILL');
      ledger = await spawnLedger(env);
    }
    const results = await Promise.all(publishers.map((p) => p.done));
    await Promise.all(publishers.map((p) => p.stop()));

    // Every receipt is a success, and every event has exactly one entry.
    for (const r of results) {
      expect(r.receipts.size).toBe(PER_DEVICE);
      for (const receipt of r.receipts.values()) expect(['accepted', 'duplicate']).toContain(receipt.status);
    }
    await ledger.kill('SIGTERM');
    ledger = undefined;
    const sql = await openSqlClient(env.PEDIGREE_DATABASE_URL ? { databaseUrl: env.PEDIGREE_DATABASE_URL } : { dataDir: join(dataDir, 'pglite') });
    const [counts] = await sql.query<{ n: number; events: number; pairs: number; max: number }>(
      'SELECT COUNT(*)::int AS n, COUNT(DISTINCT event_id)::int AS events, COUNT(DISTINCT (device, seq))::int AS pairs, MAX(idx)::int AS max FROM entries',
    );
    await sql.close();
    expect(counts).toEqual({ n: total, events: total, pairs: total, max: total - 1 });
    // The receipts' indexes are the entries' indexes.
    const indexes = new Set(results.flatMap((r) => [...r.receipts.values()].map((x) => x.index)));
    expect(indexes.size).toBe(total);

    const audit = await run(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'audit'], {
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(audit.stdout).toContain(`OK: ${total} entries, ${total} signatures`);
  });
});
