// bench/ingest: K simulated gateways publish N pre-signed envelopes over MQTT to a ledger process; reports accepted
// events/s (first publish → last receipt), publish→receipt latency, ledger RSS, and a paced run at 80 % of that
// rate; for (a) Aedes + PGlite and (b) Mosquitto (shipped conf) + PostgreSQL. Also the single-core node:crypto
// Ed25519 verify rate, and the ratio of (b) to it.
//   npm run bench -- ingest [--events 100000] [--gateways 20] [--setup a|b|both] [--check-workers N] [--warm 10000]
import { createPrivateKey, createPublicKey, sign, verify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { envelopeForSigning } from '../../schemas/signing/envelope.js';
import { ed25519Backend, verifyEd25519Node } from '../../schemas/signing/verify-envelope.js';
import { encodeBase64url } from '../../schemas/signing/encoding.js';
import type { JsonObject } from '../../schemas/signing/canonical-bytes.js';
import { freePort, spawnLedger, type LedgerProcess } from '../../test/harness/ledger-process.js';
import { commissioningEvent } from '../../test/harness/test-events.js';
import { runLoadPublisher, type LoadResult } from '../lib/load-publisher.js';
import { startProductionStores } from '../lib/production-stores.js';
import { fmt, measureRate, printTable, summarize } from '../lib/stats.js';
import { commandCpuSeconds, meterCpu, ownCpuSeconds, processCpuSeconds } from '../lib/process-cpu.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    gateways: { type: 'string', default: '20' },
    setup: { type: 'string', default: 'both' },
    window: { type: 'string', default: '500' },
    /** Events sent (from all gateways together) before the measured run, so the ledger meets it compiled. */
    warm: { type: 'string', default: '10000' },
    /** PEDIGREE_CHECK_WORKERS of the ledger; default: the ledger's own (cores − 1). */
    'check-workers': { type: 'string' },
  },
  allowPositionals: true,
});
const N = Number(values.events);
const K = Number(values.gateways);
const WINDOW = Number(values.window);
/** First seq of the measured run: after the warm-up's. */
const WARM_SEQS = Math.max(1000, Math.floor(Number(values.warm) / K) + 1);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const GLN = '9521234500001';
const LOCATION = `https://id.gs1.org/414/${GLN}/254/bench`;
const PG_ADMIN_URL = process.env.PEDIGREE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.PEDIGREE_TEST_DATABASE_URL = PG_ADMIN_URL;

function verifyRate(backend: 'node:crypto' | 'libsodium'): number {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const msg = new Uint8Array(600).fill(7);
  const sig = sign(null, msg, privateKey);
  if (backend === 'node:crypto') return measureRate(() => verify(null, msg, publicKey, sig), 2000);
  return measureRate(() => verifyEd25519Node(sig, msg, publicKey, 'libsodium'), 2000);
}

interface Gateway {
  device: string;
  secretJwk: { d: string; x: string };
  password: string;
}

async function enroll(ledger: LedgerProcess): Promise<Gateway[]> {
  const call = async (path: string, body: unknown) => {
    const r = await fetch(`${ledger.httpUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${path}: ${await r.text()}`);
    return r.json() as Promise<{ mqtt: { password: string } }>;
  };
  await call('/v1/parties', { gln: GLN, name: 'Bench Pharma', role: 'manufacturer' });
  await call('/v1/locations', { sgln: LOCATION, party: GLN, name: 'Bench line' });
  const gateways: Gateway[] = [];
  for (let g = 0; g < K; g++) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string };
    const device = `gw-bench-${g}`;
    const r = await call('/v1/devices', { device, location: LOCATION, publicKey: (publicKey.export({ format: 'jwk' }) as { x: string }).x });
    gateways.push({ device, secretJwk: jwk, password: r.mqtt.password });
  }
  return gateways;
}

/** Envelopes signed with node:crypto (deterministic Ed25519: the same bytes noble would make, faster to prepare). */
function presign(gw: Gateway, firstSeq: number, count: number, tag: string): Buffer[] {
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', ...gw.secretJwk }, format: 'jwk' });
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    const unsigned = {
      v: 1 as const,
      device: gw.device,
      seq,
      event: commissioningEvent({ gtin: '09506000134352', serials: [`${tag}-${gw.device}-${seq}`], location: LOCATION }) as JsonObject,
    };
    // Published as our gateways publish: the canonical text of the signed envelope (gateway/envelope-signer.ts).
    const prepared = envelopeForSigning(unsigned);
    out.push(Buffer.from(prepared.publishedText(encodeBase64url(new Uint8Array(sign(null, prepared.bytes, key))))));
  }
  return out;
}

function rssSampler(pid: number): { stop(): number } {
  let max = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) max = Math.max(max, Number(m[1]) * 1024);
    } catch {
      // process gone
    }
  }, 200);
  return { stop: () => (clearInterval(timer), max) };
}

async function drive(mqttUrl: string, gateways: Gateway[], perGateway: number, firstSeq: number, tag: string, rate?: number) {
  const payloads = gateways.map((g) => presign(g, firstSeq, perGateway, tag));
  const publishers = meterCpu({ own: ownCpuSeconds });
  const results: LoadResult[] = await Promise.all(
    gateways.map((g, i) =>
      runLoadPublisher({ mqttUrl, device: g.device, password: g.password, payloads: payloads[i]!, firstSeq, window: WINDOW, ...(rate ? { rate: rate / gateways.length } : {}) }),
    ),
  );
  const first = Math.min(...results.map((r) => r.firstPublish));
  const last = Math.max(...results.map((r) => r.lastReceipt));
  const accepted = results.reduce((s, r) => s + r.accepted, 0);
  const other = results.reduce((s, r) => s + r.other, 0);
  const lat = summarize(results.flatMap((r) => r.latenciesMs));
  // CPU of the K simulated gateways together, per event (they share the machine with what is measured).
  const publisherCpuUs = publishers.perOperation(accepted + other).own;
  return { rate: (accepted * 1000) / (last - first), accepted, other, lat, seconds: (last - first) / 1000, publisherCpuUs };
}

async function runSetup(name: 'a' | 'b'): Promise<string[][]> {
  const dataDir = mkdtempSync(join(tmpdir(), `pedigree-bench-${name}-`));
  const env: Record<string, string> = {
    PEDIGREE_DATA_DIR: dataDir,
    PEDIGREE_HTTP_PORT: String(await freePort()),
    PEDIGREE_ADMIN_TOKEN: ADMIN,
    PEDIGREE_LOG_LEVEL: 'warn',
    ...(values['check-workers'] !== undefined ? { PEDIGREE_CHECK_WORKERS: values['check-workers'] } : {}),
  };
  const stores = name === 'b' ? await startProductionStores(dataDir) : undefined;
  if (stores) Object.assign(env, stores.env);
  else env.PEDIGREE_MQTT_PORT = String(await freePort());
  const ledger = await spawnLedger(env);
  try {
    const gateways = await enroll(ledger);
    await stores?.admitEnrolledDevices();
    const label = name === 'a' ? '(a) Aedes + PGlite' : '(b) Mosquitto + PostgreSQL';
    console.error(`${label}: warming up, then ${fmt(N)} events from ${K} gateways…`);
    await drive(ledger.mqttUrl, gateways, Math.max(1, Math.floor(Number(values.warm) / K)), 1, 'warm');
    const rss = rssSampler(ledger.child.pid!);
    const meter = meterCpu({ ledger: () => processCpuSeconds(ledger.child.pid!), postgres: () => commandCpuSeconds('postgres'), mosquitto: () => commandCpuSeconds('mosquitto') });
    const full = await drive(ledger.mqttUrl, gateways, Math.floor(N / K), WARM_SEQS, 'full');
    const cpu = meter.perOperation(full.accepted);
    const maxRss = rss.stop();
    const us = (v: number) => `${v.toFixed(0)} µs`;
    cpuLines.push(
      `${label}: CPU per event: ledger ${us(cpu.ledger)}${name === 'b' ? `, PostgreSQL ${us(cpu.postgres)}, Mosquitto ${us(cpu.mosquitto)}` : ' (PGlite and Aedes inside)'}, publishers ${us(full.publisherCpuUs)}`,
    );
    console.error(`${label}: ${fmt(full.rate)} events/s (publishers' CPU ${full.publisherCpuUs.toFixed(0)} µs an event); paced run at 80 %…`);
    const pacedRate = full.rate * 0.8;
    const pacedPer = Math.max(50, Math.floor((pacedRate * 15) / K));
    const paced = await drive(ledger.mqttUrl, gateways, pacedPer, 1_000_000, 'paced', pacedRate);
    return [
      [label, fmt(full.accepted), fmt(full.rate), fmt(full.lat.p50, 1), fmt(full.lat.p99, 1), fmt(paced.rate), fmt(paced.lat.p50, 1), fmt(paced.lat.p99, 1), fmt(maxRss / 1048576)],
    ];
  } finally {
    await ledger.kill('SIGTERM');
    await stores?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const cpuLines: string[] = [];
// The issue's yardstick is node:crypto's rate; the ledger verifies with libsodium where it loads (verify-envelope.ts).
const verifyPerSec = verifyRate('node:crypto');
const sodiumPerSec = ed25519Backend() === 'libsodium' ? verifyRate('libsodium') : undefined;
console.error(`node:crypto Ed25519 verify on one core: ${fmt(verifyPerSec)}/s`);
const rows: string[][] = [];
const setups = values.setup === 'both' ? (['a', 'b'] as const) : ([values.setup as 'a' | 'b'] as const);
let bRate: number | undefined;
for (const s of setups) {
  const r = await runSetup(s);
  rows.push(...r);
  if (s === 'b') bRate = Number(r[0]![2]!.replace(/,/g, ''));
}
console.log(`\nbench/ingest — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} — ${fmt(N)} events, ${K} gateways, window ${WINDOW}\n`);
printTable(['setup', 'events', 'events/s', 'p50 ms', 'p99 ms', 'paced events/s', 'paced p50 ms', 'paced p99 ms', 'ledger max RSS MB'], rows);
console.log(`\n${cpuLines.join('\n')}`);
console.log(`node:crypto Ed25519 verify (1 core): ${fmt(verifyPerSec)}/s${bRate ? `; ratio (b) / verify = ${(bRate / verifyPerSec).toFixed(2)}` : ''}`);
console.log(`the ledger verifies with ${ed25519Backend()}${sodiumPerSec ? ` (1 core: ${fmt(sodiumPerSec)}/s through verifyEd25519Node)` : ''}`);
