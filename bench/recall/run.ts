// bench/recall: a recall at scale (DESIGN.md §8). Loads N units / 5N entries into PostgreSQL (bench/lib/load-dataset.ts:
// lots of L units spread over D distributors and P pharmacies), starts the ledger on it as its own process, connects one
// MQTT subscriber per pharmacy gateway (its enrolled device and broker password; each checks the ledger's signature on
// the notice as a gateway does), then POSTs a recall of one lot and measures:
//   - the time from the POST to each gateway holding the verified retained notice (p50 / p99 / max over the gateways),
//   - the POST's own latency, and the time until every gateway's signed acknowledgement (MQTT) is recorded,
//   - the recall report's latency, JSON and CSV, over several runs.
// Each run recalls a lot not recalled before; the data set is reused while it matches the options and has one left.
//   npm run bench -- recall [--units 1000000] [--lot-size 100000] [--distributors 50] [--pharmacies 500]
//                          [--report-runs 10] [--broker aedes|mosquitto] [--reload]
import { createPrivateKey, sign } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { deviceMessageSigningBytes } from '../../schemas/signing/device-message.js';
import { encodeBase64url } from '../../schemas/signing/encoding.js';
import { topics } from '../../schemas/topics.js';
import { ledgerTrustFromVkey, readLedgerMessage } from '../../gateway/ledger-messages.js';
import { hashMqttPassword } from '../../server/adapters/mqtt/mqtt-credentials.js';
import { writeMosquittoFiles } from '../../server/adapters/mqtt/mosquitto-config.js';
import { freePort, spawnLedger } from '../../test/harness/ledger-process.js';
import { startMosquitto, type MosquittoProcess } from '../../test/harness/mosquitto-process.js';
import { BENCH_MANUFACTURER_TOKEN, GTIN, loadDataset, loadedDataset, type DatasetManifest, type DatasetSite } from '../lib/load-dataset.js';
import { fmt, printTable, summarize } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '1000000' },
    'lot-size': { type: 'string', default: '100000' },
    distributors: { type: 'string', default: '50' },
    pharmacies: { type: 'string', default: '500' },
    'report-runs': { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    broker: { type: 'string', default: 'aedes' },
    reload: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const UNITS = Number(values.units);
const LOT_SIZE = Number(values['lot-size']);
const DISTRIBUTORS = Number(values.distributors);
const PHARMACIES = Number(values.pharmacies);
const REPORT_RUNS = Number(values['report-runs']);
const ADMIN_URL = process.env.PEDIGREE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'pedigree_bench_recall';
const ORIGIN = 'pedigree.bench/recall';
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const dataDir = join(tmpdir(), 'pedigree-bench-recall');
const keyFile = join(dataDir, 'ledger.key');
const manifestFile = join(dataDir, 'dataset.json');
mkdirSync(dataDir, { recursive: true });
const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DATABASE}`;
  return u.toString();
})();
const lots = Math.ceil(UNITS / LOT_SIZE);

/** Lots already recalled in this database (each run recalls a fresh one). */
async function recalledLots(): Promise<Set<string>> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const r = await c.query<{ lot: string }>('SELECT DISTINCT unnest(lots) AS lot FROM recalls');
    return new Set(r.rows.map((x) => x.lot));
  } finally {
    await c.end();
  }
}

const datasetOptions = { adminUrl: ADMIN_URL, database: DATABASE, units: UNITS, distributors: DISTRIBUTORS, pharmacies: PHARMACIES, lotSize: LOT_SIZE, keyFile, origin: ORIGIN, manifestFile };
let manifest: DatasetManifest | undefined = values.reload ? undefined : await loadedDataset(datasetOptions);
let lot: string | undefined;
if (manifest) {
  const used = await recalledLots();
  lot = Array.from({ length: lots }, (_, i) => `LOT${i + 1}`).find((l) => !used.has(l));
  if (lot === undefined) manifest = undefined;
  else console.error(`reusing ${DATABASE}: ${fmt(manifest.entries)} entries; ${used.size} of ${lots} lots recalled before`);
}
if (!manifest) {
  console.error(`loading ${fmt(UNITS)} units / ${fmt(UNITS * 5)} entries (${DISTRIBUTORS} distributors, ${PHARMACIES} pharmacies, lots of ${fmt(LOT_SIZE)}) into ${DATABASE}`);
  const r = await loadDataset({ ...datasetOptions, workers: Number(values.workers), log: (line) => console.error(`  ${line}`) });
  console.error(`loaded ${fmt(r.entries)} entries in ${r.seconds.toFixed(0)} s (${fmt(r.entries / r.seconds)} entries/s; ${Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')})`);
  manifest = r.manifest;
  lot = 'LOT1';
}
const data = manifest;
const recallLot = lot!;
const pharmacies = data.sites.filter((s) => s.role === 'pharmacy');

// The ledger, on the embedded broker (Aedes, the default) or a Mosquitto started here with the shipped configuration.
const env: Record<string, string> = {
  PEDIGREE_DATABASE_URL: dbUrl,
  PEDIGREE_LEDGER_KEY_FILE: keyFile,
  PEDIGREE_LOG_ORIGIN: ORIGIN,
  PEDIGREE_DATA_DIR: dataDir,
  PEDIGREE_HTTP_PORT: String(await freePort()),
  PEDIGREE_ADMIN_TOKEN: ADMIN_TOKEN,
};
let mosquitto: MosquittoProcess | undefined;
if (values.broker === 'mosquitto') {
  const ledgerCred = { username: 'pedigree-ledger', password: 'bench-ledger-password' };
  const accounts = await Promise.all(
    data.sites.map(async (s) => ({ username: s.device, passwordHash: await hashMqttPassword(s.mqttPassword), principal: { kind: 'device' as const, device: s.device, siteGln: s.gln }, active: true })),
  );
  await writeMosquittoFiles(dataDir, accounts, { username: ledgerCred.username, passwordHash: await hashMqttPassword(ledgerCred.password) });
  mosquitto = await startMosquitto(dataDir, new URL('../../server/adapters/mqtt/mosquitto.conf', import.meta.url).pathname);
  Object.assign(env, { PEDIGREE_MQTT_URL: mosquitto.url, PEDIGREE_MQTT_USERNAME: ledgerCred.username, PEDIGREE_MQTT_PASSWORD: ledgerCred.password });
} else {
  env.PEDIGREE_MQTT_PORT = String(await freePort());
}
const ledger = await spawnLedger(env, 300_000);

interface Gateway {
  readonly site: DatasetSite;
  readonly client: MqttClient;
  /** When the verified notice of each recall arrived (performance.now()). */
  readonly notices: Map<string, number>;
}

async function connectGateways(): Promise<{ gateways: Gateway[]; forged: () => number }> {
  const vkey = await fetch(`${ledger.httpUrl}/v1/verifier-key`).then((r) => r.text());
  const trust = ledgerTrustFromVkey(vkey);
  if (!trust.ok) throw new Error(trust.message);
  let forged = 0;
  const gateways: Gateway[] = [];
  const connectOne = async (site: DatasetSite) => {
    const client = await mqtt.connectAsync(ledger.mqttUrl, { clientId: site.device, username: site.device, password: site.mqttPassword, clean: true, reconnectPeriod: 0, protocolVersion: 4 });
    const notices = new Map<string, number>();
    client.on('message', (topic, payload) => {
      const read = readLedgerMessage(topic, payload, { trust: trust.value, device: site.device, siteGln: site.gln });
      if (!read.ok) {
        forged++;
        return;
      }
      if (read.value.kind === 'recall' && !notices.has(read.value.recallId)) notices.set(read.value.recallId, performance.now());
    });
    await client.subscribeAsync(topics.allRecalls, { qos: 1 });
    gateways.push({ site, client, notices });
  };
  for (let i = 0; i < pharmacies.length; i += 25) await Promise.all(pharmacies.slice(i, i + 25).map(connectOne));
  return { gateways, forged: () => forged };
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${ledger.httpUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${BENCH_MANUFACTURER_TOKEN}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t0 };
}

/** A gateway's signed acknowledgement, as gateway/gateway.ts sends it (node:crypto here: 500 of them at once). */
function ack(g: Gateway, recallId: string): void {
  const topic = topics.deviceRecallAcks(g.site.device);
  const unsigned = { v: 1 as const, kind: 'recall-ack' as const, topic, body: { recallId, ackedAt: new Date().toISOString() } };
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: g.site.jwk.d, x: g.site.jwk.x }, format: 'jwk' });
  const sig = encodeBase64url(new Uint8Array(sign(null, deviceMessageSigningBytes(unsigned), key)));
  g.client.publish(topic, JSON.stringify({ ...unsigned, sig }), { qos: 1 });
}

let gateways: Gateway[] = [];
try {
  const connected = await connectGateways();
  gateways = connected.gateways;
  // Let the retained notices of earlier runs arrive first.
  await new Promise((r) => setTimeout(r, 1000));
  console.error(`${gateways.length} pharmacy gateways subscribed to ${topics.allRecalls}; recalling ${recallLot}`);

  const t0 = performance.now();
  const issued = await api('POST', '/v1/recalls', { scope: { gtin: GTIN, lots: [recallLot] }, class: 'I', reason: 'bench: particulate matter', instructions: 'quarantine' });
  if (issued.status !== 201) throw new Error(`POST /v1/recalls: ${issued.status} ${issued.text.slice(0, 500)}`);
  const recall = JSON.parse(issued.text) as { id: string; units: number; notifiedSites: string[] };
  const deadline = performance.now() + 60_000;
  while (gateways.some((g) => !g.notices.has(recall.id)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const arrived = gateways.filter((g) => g.notices.has(recall.id)).map((g) => g.notices.get(recall.id)! - t0);
  const notice = summarize(arrived);
  console.error(`recall ${recall.id}: ${fmt(recall.units)} units, ${recall.notifiedSites.length} sites notified; POST ${fmt(issued.ms, 0)} ms; notice at ${arrived.length}/${gateways.length} gateways, max ${fmt(notice.max, 0)} ms`);

  // Every gateway acknowledges over MQTT; measured until the ledger has recorded all of them.
  const a0 = performance.now();
  for (const g of gateways) if (g.notices.has(recall.id)) ack(g, recall.id);
  let acked = 0;
  while (performance.now() - a0 < 60_000) {
    const r = await api('GET', `/v1/recalls/${recall.id}`);
    acked = (JSON.parse(r.text) as { sites: { acknowledgedAt: string | null }[] }).sites.filter((s) => s.acknowledgedAt !== null).length;
    if (acked >= arrived.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ackMs = performance.now() - a0;

  // The report, JSON and CSV.
  const json: number[] = [];
  const csv: number[] = [];
  let bytes = { json: 0, csv: 0 };
  let total = 0;
  for (let i = 0; i < REPORT_RUNS; i++) {
    const j = await api('GET', `/v1/recalls/${recall.id}/report`);
    if (j.status !== 200) throw new Error(`report: ${j.status} ${j.text.slice(0, 300)}`);
    json.push(j.ms);
    const c = await api('GET', `/v1/recalls/${recall.id}/report?format=csv`);
    if (c.status !== 200) throw new Error(`report csv: ${c.status} ${c.text.slice(0, 300)}`);
    csv.push(c.ms);
    bytes = { json: j.text.length, csv: c.text.length };
    if (i === 0) {
      const report = JSON.parse(j.text) as { total: number; counts: Record<string, number>; sites: { acknowledgedAt: string | null }[] };
      total = report.total;
      console.error(`report: ${fmt(report.total)} units, counts ${JSON.stringify(report.counts)}, ${report.sites.filter((s) => s.acknowledgedAt).length}/${report.sites.length} sites acknowledged`);
    }
  }
  const rj = summarize(json);
  const rc = summarize(csv);

  console.log(
    `\nbench/recall — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} — ${fmt(data.entries)} entries, ${fmt(UNITS)} units; ` +
      `lot ${recallLot} of ${fmt(total)} units over ${DISTRIBUTORS} distributors and ${PHARMACIES} pharmacies; broker ${values.broker}\n`,
  );
  printTable(
    ['measure', 'n', 'p50 ms', 'p99 ms', 'max ms'],
    [
      ['POST /v1/recalls → verified notice at each gateway', String(arrived.length), fmt(notice.p50, 0), fmt(notice.p99, 0), fmt(notice.max, 0)],
      ['POST /v1/recalls (response)', '1', fmt(issued.ms, 0), '', ''],
      [`all acknowledgements (MQTT) recorded`, String(acked), '', '', fmt(ackMs, 0)],
      [`report, JSON (${fmt(bytes.json / 1e6, 1)} MB)`, String(json.length), fmt(rj.p50, 0), fmt(rj.p99, 0), fmt(rj.max, 0)],
      [`report, CSV (${fmt(bytes.csv / 1e6, 1)} MB)`, String(csv.length), fmt(rc.p50, 0), fmt(rc.p99, 0), fmt(rc.max, 0)],
    ],
  );
  if (connected.forged() > 0) console.log(`\n${connected.forged()} messages failed the ledger signature check`);
} catch (e) {
  console.error(`ledger output:\n${ledger.output().slice(-4000)}`);
  throw e;
} finally {
  await Promise.all(gateways.map((g) => g.client.endAsync().catch(() => undefined)));
  await ledger.kill('SIGTERM');
  await mosquitto?.stop();
}
