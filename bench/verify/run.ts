// bench/verify: pharmacist verification under load (DESIGN.md §7). Loads N units / 5N entries into PostgreSQL
// (bench/lib/load-dataset.ts, no MQTT; reused while it matches), starts the ledger on it, checks one answer end to end
// (pedigree, inclusion proof against the signed checkpoint with the schemas/ verifier), then C concurrent HTTP clients
// on loopback verify random existing serials: verifications/s, p50/p99 latency.
//   npm run bench -- verify [--units 1000000] [--clients 50] [--duration 20] [--reload] [--processes 1] [--cold]
// Before each measured phase the working set of a verification is read into the page cache (bench/lib/prewarm.ts);
// --cold skips that.
// --processes N starts N ledger processes on the same database (DESIGN.md §4 scale-out) and spreads the clients'
// connections over them, as a load balancer in front of them would.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeBase64 } from '../../schemas/signing/encoding.js';
import { leafHash, verifyInclusion } from '../../schemas/signing/merkle.js';
import { openCheckpoint } from '../../schemas/signing/checkpoint.js';
import { noteVerifierFromVkey } from '../../schemas/signing/signed-note.js';
import { freePort, spawnLedger } from '../../test/harness/ledger-process.js';
import { keepAliveGet } from '../lib/keep-alive-get.js';
import { fmt, printTable, summarize } from '../lib/stats.js';
import { commandCpuSeconds, meterCpu, ownCpuSeconds, processCpuSeconds } from '../lib/process-cpu.js';
import { BENCH_TOKEN, GTIN, loadDataset, loadedDataset, serialOf } from '../lib/load-dataset.js';
import { prewarmRelations } from '../lib/prewarm.js';

const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '1000000' },
    pharmacies: { type: 'string', default: '100' },
    clients: { type: 'string', default: '50' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    /** Load the data set again even when the one in the database matches (it is reused by default). */
    reload: { type: 'boolean', default: false },
    /** Rate of the paced run (verifications/s); default 80 % of the closed-loop rate. */
    rate: { type: 'string' },
    /** Verify as the admin (skips the pharmacy's visibility checks), to see what they cost. */
    admin: { type: 'boolean', default: false },
    /** Ledger processes serving HTTP on the same database. */
    processes: { type: 'string', default: '1' },
    /** Measure without reading the verification's working set into the page cache first. */
    cold: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const UNITS = Number(values.units);
const CLIENTS = Number(values.clients);
const ADMIN_URL = process.env.PEDIGREE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'pedigree_bench_verify';
const ORIGIN = 'pedigree.bench/verify';
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const dataDir = join(tmpdir(), 'pedigree-bench-verify');
const keyFile = join(dataDir, 'ledger.key');
mkdirSync(dataDir, { recursive: true });

const datasetOptions = { adminUrl: ADMIN_URL, database: DATABASE, units: UNITS, pharmacies: Number(values.pharmacies), keyFile, origin: ORIGIN, manifestFile: join(dataDir, 'dataset.json') };
if (values.reload || (await loadedDataset(datasetOptions)) === undefined) {
  console.error(`loading ${fmt(UNITS)} units / ${fmt(UNITS * 5)} entries into ${DATABASE}`);
  const r = await loadDataset({ ...datasetOptions, workers: Number(values.workers), log: (line) => console.error(`  ${line}`) });
  console.error(`loaded ${fmt(r.entries)} entries in ${r.seconds.toFixed(0)} s (${fmt(r.entries / r.seconds)} entries/s; ${Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')})`);
} else console.error(`reusing ${DATABASE} (${fmt(UNITS)} units)`);

const dbUrl = new URL(ADMIN_URL);
dbUrl.pathname = `/${DATABASE}`;
const PROCESSES = Math.max(1, Number(values.processes));
// One after another: each applies migrations and the admin token at start.
const ledgers: Awaited<ReturnType<typeof spawnLedger>>[] = [];
for (let i = 0; i < PROCESSES; i++) {
  const dir = PROCESSES === 1 ? dataDir : join(dataDir, `p${i}`);
  mkdirSync(dir, { recursive: true });
  ledgers.push(
    await spawnLedger(
      {
        PEDIGREE_DATABASE_URL: dbUrl.toString(),
        PEDIGREE_LEDGER_KEY_FILE: keyFile,
        PEDIGREE_LOG_ORIGIN: ORIGIN,
        PEDIGREE_DATA_DIR: dir,
        PEDIGREE_HTTP_PORT: String(await freePort()),
        PEDIGREE_MQTT_PORT: String(await freePort()),
        PEDIGREE_ADMIN_TOKEN: ADMIN_TOKEN,
        PEDIGREE_CHECK_WORKERS: '0',
      },
      120_000,
    ),
  );
}
const httpPort = new URL(ledgers[0]!.httpUrl).port;

// Each ledger loads its proof node cache in the background at start (≈ 20 s for 5,000,000 entries here); until then
// its proofs read the database. What is measured is a ledger that has finished starting.
for (const l of ledgers) {
  const started = performance.now();
  for (let last = 0; ; ) {
    const text = await fetch(`${l.httpUrl}/metrics`).then((r) => r.text());
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    if (gauge('pedigree_proof_cache_loaded') === 1) {
      console.error(`proof node cache: ${fmt(gauge('pedigree_proof_cache_nodes'))} nodes from level ${gauge('pedigree_proof_cache_lowest_level')}, loaded ${((performance.now() - started) / 1000).toFixed(1)} s after the ledger answered`);
      break;
    }
    if (performance.now() - started > 300_000) throw new Error('the ledger did not load its proof node cache in 300 s');
    if (performance.now() - last > 5_000) {
      last = performance.now();
      console.error(`  waiting for the proof node cache: ${fmt(gauge('pedigree_proof_cache_nodes'))} nodes so far`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const authorization = { Authorization: `Bearer ${values.admin ? ADMIN_TOKEN : BENCH_TOKEN}` };
const pools = ledgers.map((l) => keepAliveGet(l.httpUrl, Math.ceil(CLIENTS / PROCESSES)));
let turn = 0;
const get = (path: string) => pools[turn++ % pools.length]!(path, authorization);

try {
  // One answer checked end to end, as a pharmacist's client would.
  const sample = await get(`/v1/verify/01/${GTIN}/21/${serialOf(Math.floor(UNITS / 2))}?lot=LOT1&exp=291231`);
  const v = JSON.parse(sample.body);
  const vkey = await fetch(`http://127.0.0.1:${httpPort}/v1/verifier-key`).then((r) => r.text());
  const verifier = noteVerifierFromVkey(vkey.trim());
  if (!verifier.ok) throw new Error(verifier.message);
  const cp = openCheckpoint(v.proof.checkpoint, { logVerifier: verifier.value, origin: ORIGIN });
  if (!cp.ok) throw new Error(`checkpoint: ${cp.message}`);
  const proved = verifyInclusion({
    index: v.proof.index,
    size: v.proof.size,
    leafHash: leafHash(decodeBase64(v.proof.entry)!),
    proof: v.proof.hashes.map((h: string) => decodeBase64(h)!),
    root: cp.value.checkpoint.rootHash,
  });
  if (sample.status !== 200 || v.data.verified !== true || v.pedigree.length !== 5 || !proved.ok) {
    throw new Error(`sample verification is wrong: ${sample.status} ${sample.body.slice(0, 500)}`);
  }
  console.error(`sample: verified, ${v.pedigree.length} steps, proof of ${v.proof.hashes.length} hashes to a checkpoint of ${fmt(v.proof.size)}, ${sample.body.length} bytes`);

  // What a verification reads: the unit's state, steps and alerts, party names, its latest entry and the lowest
  // levels of that entry's proof (custody-store.ts, readUnitViews).
  const prewarm = async () => {
    if (values.cold) return;
    const r = await prewarmRelations(dbUrl.toString(), ['unit_state', 'unit_steps', 'alerts', 'parties', 'entries', 'tree_nodes'], ['alerts_epc']);
    console.error(`page cache: read ${fmt(r.megabytes)} MB of the verification's working set in ${r.seconds.toFixed(1)} s (pg_prewarm)`);
  };
  await prewarm();
  const warmupMs = Number(values.warmup) * 1000;
  const durationMs = Number(values.duration) * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  // CPU per verification of each part, over each run's measured window (they share the two cores). The paced run's
  // matters as much as the closed loop's: at a fixed rate the reads are batched less, so a verification costs more.
  const startMeter = () =>
    meterCpu({ ledger: () => ledgers.reduce((sum, l) => sum + processCpuSeconds(l.child.pid!), 0), postgres: () => commandCpuSeconds('postgres'), generator: ownCpuSeconds });
  const cpuLine = (run: string, cpu: { ledger: number; postgres: number; generator: number } | undefined) =>
    cpu ? `CPU per verification (${run}): ledger ${cpu.ledger.toFixed(0)} µs, PostgreSQL ${cpu.postgres.toFixed(0)} µs, load generator ${cpu.generator.toFixed(0)} µs` : '';
  let meter: ReturnType<typeof startMeter> | undefined;
  let measuredDone = 0;
  const snap = setTimeout(() => (meter = startMeter()), warmupMs);
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (;;) {
        const t0 = performance.now();
        if (t0 >= end) return;
        const r = await get(`/v1/verify/01/${GTIN}/21/${serialOf(Math.floor(Math.random() * UNITS))}`);
        const t1 = performance.now();
        if (r.status !== 200) errors++;
        if (t0 >= measureFrom) latencies.push(t1 - t0);
        if (meter) measuredDone++;
      }
    }),
  );
  clearTimeout(snap);
  const closedCpu = cpuLine('closed loop', meter?.perOperation(measuredDone));
  const s = summarize(latencies);
  const rate = (latencies.length * 1000) / durationMs;
  console.log(`\nbench/verify: ${fmt(UNITS)} units, ${fmt(UNITS * 5)} entries, ${CLIENTS} clients, ${PROCESSES === 1 ? 'one ledger process' : `${PROCESSES} ledger processes`}, ${values.duration} s (after ${values.warmup} s warm-up)\n`);
  const rows = [['closed loop', fmt(rate), fmt(s.p50, 2), fmt(s.p90, 2), fmt(s.p99, 2), fmt(s.max, 1), String(errors)]];

  // Paced (open loop): requests are scheduled at a fixed rate over the same CLIENTS connections, and each latency is
  // counted from its scheduled time, so a stall shows as latency rather than as fewer requests (no coordinated
  // omission). Closed-loop latency with 50 clients is 50 / throughput by construction; this is the latency a
  // pharmacy sees when the ledger serves a given load. Like the closed loop, it is measured after a warm-up at its
  // own rate: what a pharmacy sees while the ledger serves that load, not while it comes down from saturation.
  const paceRate = values.rate ? Number(values.rate) : Math.round(rate * 0.8);
  await prewarm();
  const paced: number[] = [];
  let pacedErrors = 0;
  let inFlight = 0;
  const queue: number[] = [];
  const pacedStart = performance.now();
  const pacedMeasureFrom = pacedStart + warmupMs;
  const pacedEnd = pacedMeasureFrom + durationMs;
  let scheduled = 0;
  let pacedMeter: ReturnType<typeof startMeter> | undefined;
  const pacedSnap = setTimeout(() => (pacedMeter = startMeter()), warmupMs);
  await new Promise<void>((done) => {
    const finished = () => {
      inFlight--;
      launch();
      if (inFlight === 0 && queue.length === 0 && performance.now() >= pacedEnd) done();
    };
    const launch = () => {
      while (inFlight < CLIENTS && queue.length > 0) {
        const due = queue.shift()!;
        const measured = due >= pacedMeasureFrom;
        inFlight++;
        void get(`/v1/verify/01/${GTIN}/21/${serialOf(Math.floor(Math.random() * UNITS))}`).then(
          (r) => {
            if (measured) {
              paced.push(performance.now() - due);
              if (r.status !== 200) pacedErrors++;
            }
            finished();
          },
          () => {
            if (measured) pacedErrors++;
            finished();
          },
        );
      }
    };
    const tick = setInterval(() => {
      const now = performance.now();
      const until = Math.min(now, pacedEnd);
      while (pacedStart + (scheduled * 1000) / paceRate <= until) queue.push(pacedStart + (scheduled++ * 1000) / paceRate);
      launch();
      if (now >= pacedEnd) {
        clearInterval(tick);
        if (inFlight === 0 && queue.length === 0) done();
      }
    }, 1);
  });
  clearTimeout(pacedSnap);
  const pacedCpu = cpuLine('paced', pacedMeter?.perOperation(paced.length));
  const ps = summarize(paced);
  rows.push([`paced at ${fmt(paceRate)}/s`, fmt((paced.length * 1000) / (performance.now() - pacedMeasureFrom)), fmt(ps.p50, 2), fmt(ps.p90, 2), fmt(ps.p99, 2), fmt(ps.max, 1), String(pacedErrors)]);
  printTable(['run', 'verifications/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors'], rows);
  if (closedCpu) console.log(`\n${closedCpu}`);
  if (pacedCpu) console.log(pacedCpu);
} finally {
  for (const p of pools) p.close();
  await Promise.all(ledgers.map((l) => l.kill('SIGTERM')));
}
