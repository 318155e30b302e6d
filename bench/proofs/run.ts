// bench/proofs: with N entries (default 1,000,000) in PostgreSQL, the latency a client sees for an inclusion proof
// plus the signed checkpoint it proves against (target p99 ≤ 5 ms), over HTTP to a ledger process.
//   npm run bench -- proofs [--entries 1000000] [--requests 5000] [--concurrency 4]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../../test/harness/databases.js';
import { buildSyntheticLog } from '../../test/harness/synthetic-log.js';
import { freePort, spawnLedger } from '../../test/harness/ledger-process.js';
import { openSqlClient } from '../../server/adapters/db/sql-client.js';
import { loadOrCreateLedgerKey } from '../../server/adapters/ledger-key-file.js';
import { createLedgerSigner } from '../../server/adapters/ledger-signer.js';
import { getRootAt } from '../../server/log/proofs.js';
import { createSqlLedgerStore } from '../../server/adapters/db/ledger-store.js';
import { keepAliveGet } from '../lib/keep-alive-get.js';
import { fmt, printTable, summarize } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '4' },
  },
  allowPositionals: true,
});
const N = Number(values.entries);
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
process.env.PEDIGREE_TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-bench-proofs-'));
const db = await createTestDatabase();
try {
  const sql = await openSqlClient({ databaseUrl: db.url });
  console.error(`loading ${fmt(N)} entries and their tree nodes into PostgreSQL…`);
  const t0 = performance.now();
  await buildSyntheticLog(sql, N);
  await sql.query('ANALYZE');
  const key = loadOrCreateLedgerKey(join(dataDir, 'ledger.key'));
  const signer = createLedgerSigner({ origin: 'pedigree.local/ledger', secretKey: key.secretKey });
  const root = await getRootAt(createSqlLedgerStore(sql), N, N);
  if (!root.ok) throw new Error(root.message);
  await sql.query('INSERT INTO checkpoints (size, root, note) VALUES ($1, $2, $3)', [N, root.value, signer.signCheckpoint(N, root.value)]);
  await sql.close();
  console.error(`loaded in ${fmt((performance.now() - t0) / 1000, 1)} s; starting the ledger…`);

  const ledger = await spawnLedger({
    PEDIGREE_DATA_DIR: dataDir,
    PEDIGREE_DATABASE_URL: db.url,
    PEDIGREE_HTTP_PORT: String(await freePort()),
    PEDIGREE_MQTT_PORT: String(await freePort()),
    PEDIGREE_LOG_LEVEL: 'warn',
  });
  // Keep-alive node:http clients, as a verifier library would hold them (fetch cost the bench more CPU than the ledger).
  const get = keepAliveGet(ledger.httpUrl, CONCURRENCY * 2);
  try {
    const one = async () => {
      const index = Math.floor(Math.random() * N);
      const start = performance.now();
      const [p, c] = await Promise.all([get(`/v1/proofs/inclusion?index=${index}`), get('/v1/checkpoint')]);
      const proof = JSON.parse(p.body) as { hashes: string[] };
      if (p.status !== 200 || c.status !== 200 || proof.hashes.length === 0) throw new Error(`bad answer for ${index}`);
      return performance.now() - start;
    };
    for (let i = 0; i < 200; i++) await one(); // warm up
    const samples: number[] = [];
    let issued = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (issued++ < REQUESTS) samples.push(await one());
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const s = summarize(samples);
    console.log(`\nbench/proofs — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} — PostgreSQL, ${fmt(N)} entries\n`);
    printTable(
      ['entries', 'requests', 'concurrency', 'proof+checkpoint/s', 'p50 ms', 'p99 ms', 'max ms'],
      [[fmt(N), fmt(s.n), String(CONCURRENCY), fmt(s.n / seconds), fmt(s.p50, 2), fmt(s.p99, 2), fmt(s.max, 2)]],
    );
  } finally {
    get.close();
    await ledger.kill('SIGTERM');
  }
} finally {
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
