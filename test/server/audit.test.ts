// `npm run audit`: clean on an honest log, and names the first index that disagrees after tampering behind the server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../../server/adapters/db/sql-client.js';
import { startLedgerHarness, enrollTestDevice, type LedgerHarness } from '../harness/ledger-harness.js';
import { connectTestDevice } from '../harness/device-client.js';
import { commissioningEvent } from '../harness/test-events.js';

const run = promisify(execFile);

async function audit(h: LedgerHarness): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run('npx', ['tsx', 'server/cli/main.ts', 'audit'], {
      env: { ...process.env, PEDIGREE_DATA_DIR: h.dataDir, PEDIGREE_DATABASE_URL: h.config.databaseUrl ?? '' },
    });
    return { code: 0, stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, stdout: err.stdout };
  }
}

describe('audit of a PGlite ledger', () => {
  let h: LedgerHarness;

  beforeAll(async () => {
    h = await startLedgerHarness();
    const dev = await enrollTestDevice(h, { device: 'gw-audit', gln: '9521234500001', ext: 'a' });
    const gw = await connectTestDevice(h.ledger.mqttUrl, dev, h.ledger.signer.publicKey);
    // Several batches, so there are several checkpoints to check.
    for (let batch = 0; batch < 4; batch++) {
      const seqs = Array.from({ length: 10 }, (_, i) => batch * 10 + i + 1);
      await Promise.all(seqs.map((s) => gw.publish(gw.envelope(s, commissioningEvent({ gtin: '09506000134352', serials: [`A${s}`], location: dev.location })))));
      await gw.waitForReceipts(seqs);
    }
    await gw.close();
    await h.ledger.stop();
  });
  afterAll(async () => h?.stop());

  it('prints OK with the counts for an untouched log', async () => {
    const r = await audit(h);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: 40 entries, 40 signatures, \d+ tree nodes, \d+ checkpoints verified/m);
  });

  it('names the index whose stored bytes were changed behind the server', async () => {
    const sql = await openSqlClient({ dataDir: join(h.dataDir, 'pglite') });
    await sql.query(`UPDATE entries SET bytes = set_byte(bytes, 40, get_byte(bytes, 40) # 1) WHERE idx = 17`);
    await sql.close();
    const r = await audit(h);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED at index 17: LEAF_HASH_MISMATCH');
  });
});
