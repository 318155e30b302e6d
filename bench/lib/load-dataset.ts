// Loads a benchmark data set straight into PostgreSQL, without MQTT: N units, each commissioned by the manufacturer,
// shipped to a distributor, received, shipped to a pharmacy and received there (5 entries a unit), over D distributors,
// P pharmacies and lots of L units. Every entry is a real envelope signed by its device's Ed25519 key, with its CBV 2.0
// event hash ID; tree nodes, chain links, the custody projection (folded by the server's own rules) and a signed
// checkpoint are loaded with it, so a ledger started on the database serves at once and `npm run audit` passes.
//
// Fast: worker threads do all per-entry work (sign, hash, fold, COPY text); the main thread builds the tree and streams
// COPY … FREEZE through psql; indexes whose keys arrive in random order are dropped first and built once at the end (an
// index built in one pass is many times cheaper than 5 million random inserts into it, the GIN index on entries.event
// above all), those whose keys arrive in order are kept and filled as the rows come.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import canonicalize from 'canonicalize';
import pg from 'pg';
import { computeEventHashId, computeEventPreHash, hashIdFromPreHash } from '../../schemas/epcis/event-hash.js';
import { computeCheckDigit } from '../../schemas/gs1/check-digit.js';
import { EVENT_SIGNING_CONTEXT } from '../../schemas/signing/envelope.js';
import { appendLeaves, EMPTY_FRONTIER, type TreeFrontier } from '../../server/log/append-leaves.js';
import { openSqlClient } from '../../server/adapters/db/sql-client.js';
import { loadOrCreateLedgerKey } from '../../server/adapters/ledger-key-file.js';
import { createLedgerSigner } from '../../server/adapters/ledger-signer.js';
import { hashMqttPassword } from '../../server/adapters/mqtt/mqtt-credentials.js';
import { hashToken } from '../../server/domain/create-token.js';
import { readCustodyFacts } from '../../server/domain/custody-facts.js';
import {
  EVENT_SIGNING_PREFIX,
  SEQ_PLACEHOLDER,
  SERIAL_PLACEHOLDER,
  STAGES,
  TIME_PLACEHOLDER,
  copyText,
  distributorOf,
  distributorSite,
  lotCount,
  pharmacyOf,
  pharmacySite,
  siteCount,
  templateNumbers,
  type BlockJob,
  type BlockResult,
  type DatasetLayout,
  type EventTemplate,
  type WorkerInit,
} from './load-dataset-plan.js';

export { serialOf, lotOf, pharmacyOf, distributorOf, type DatasetLayout } from './load-dataset-plan.js';

export const GTIN = '09506000134352';
/** The manufacturer's GS1 Company Prefix (GTIN 0 9506000 13435 2). */
export const COMPANY_PREFIX = '9506000';
export const BENCH_TOKEN = 'pdg_pharmacy_bench-verify-token-0123456789';
export const BENCH_MANUFACTURER_TOKEN = 'pdg_manufacturer_bench-token-0123456789';
export const BENCH_REGULATOR_TOKEN = 'pdg_regulator_bench-token-0123456789';
const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { cbvmda: 'urn:epcglobal:cbv:mda:' }];

export interface LoadOptions extends Partial<Omit<DatasetLayout, 'units'>> {
  /** Admin URL of the server (any database); the data set goes into `database`, recreated. */
  readonly adminUrl: string;
  readonly database: string;
  readonly units: number;
  readonly keyFile: string;
  readonly origin: string;
  /** Signing/hashing threads (default 2). */
  readonly workers?: number;
  /** Where the data set's description (layout, sites, device keys and MQTT passwords) is written, for reuse. */
  readonly manifestFile?: string;
  readonly log: (line: string) => void;
}

export interface DatasetSite {
  readonly role: 'manufacturer' | 'distributor' | 'pharmacy';
  readonly gln: string;
  readonly location: string;
  readonly device: string;
  /** The device's Ed25519 key as a JWK (bench data only). */
  readonly jwk: { readonly d: string; readonly x: string };
  readonly mqttPassword: string;
}

export interface DatasetManifest {
  readonly database: string;
  readonly origin: string;
  readonly gtin: string;
  readonly layout: DatasetLayout;
  readonly entries: number;
  readonly sites: readonly DatasetSite[];
}

export interface LoadResult {
  readonly entries: number;
  readonly seconds: number;
  readonly manifest: DatasetManifest;
  /** Seconds per phase: registry, entries (signing + COPY), indexes, analyze. */
  readonly phases: Readonly<Record<string, number>>;
}

/** Tables the loader fills with COPY, with their columns. */
const TABLES = {
  entries: ['idx', 'leaf_hash', 'bytes', 'kind', 'device', 'seq', 'event_id', 'event_time', 'event', 'party'],
  tree_nodes: ['level', 'idx', 'hash'],
  entry_units: ['epc', 'entry_idx', 'prev_idx'],
  unit_heads: ['epc', 'last_idx'],
  custody_events: [
    'idx', 'event_time', 'event_date', 'type', 'action', 'biz_step', 'disposition', 'party', 'location', 'source_party',
    'destination_party', 'destination_location', 'parent', 'lot', 'expiry', 'corrects', 'retracted_by',
  ],
  unit_steps: [
    'epc', 'entry_idx', 'event_time', 'role', 'via', 'lot', 'expiry', 'biz_step', 'disposition', 'party', 'location',
    'destination_party', 'corrects', 'retracted_by',
  ],
  unit_state: [
    'epc', 'kind', 'gtin', 'serial', 'sscc', 'state', 'commissioned_idx', 'lot', 'expiry', 'owner', 'custodian', 'location',
    'custody_idx', 'destination_party', 'destination_location', 'ship_idx', 'terminal_idx', 'container', 'container_idx',
    'recalled', 'recall_idx', 'quarantined', 'unknown_alerted', 'last_idx', 'last_event_time',
  ],
} as const;
type Table = keyof typeof TABLES;

const gln = (stem: string) => stem + computeCheckDigit(stem);
const dbUrlOf = (adminUrl: string, database: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
};

/**
 * `COPY table FROM STDIN WITH (FREEZE)` through psql, in a transaction that truncated the table first (FREEZE needs
 * that): rows arrive frozen and all-visible, so no VACUUM has to rewrite 16 GB of pages afterwards to set hint bits.
 */
class CopyStream {
  readonly #child: ChildProcess;
  readonly #done: Promise<void>;
  #err = '';
  constructor(url: string, table: Table) {
    const copy = `COPY ${table} (${TABLES[table].join(', ')}) FROM STDIN WITH (FREEZE)`;
    this.#child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'BEGIN', '-c', `TRUNCATE ${table}`, '-c', copy, '-c', 'COMMIT'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.#child.stderr!.on('data', (d) => (this.#err += d));
    this.#done = new Promise((resolve, reject) => {
      this.#child.once('error', reject);
      this.#child.once('exit', (code) => (code === 0 && this.#err === '' ? resolve() : reject(new Error(`COPY ${table}: ${this.#err || `psql exited ${code}`}`))));
    });
    this.#done.catch(() => undefined);
  }
  async write(data: Uint8Array | string | readonly Uint8Array[]): Promise<void> {
    let full = false;
    for (const piece of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) {
      if (piece.length > 0 && !this.#child.stdin!.write(piece)) full = true;
    }
    if (full) await new Promise((r) => this.#child.stdin!.once('drain', r));
  }
  async end(): Promise<void> {
    this.#child.stdin!.end();
    await this.#done;
  }
}

interface IndexDef {
  readonly table: string;
  readonly name: string;
  /** SQL that recreates it. */
  readonly create: string;
  /** SQL that drops it. */
  readonly drop: string;
}

/** Every primary key, unique constraint and index on the loaded tables, as SQL that drops and recreates it. */
async function indexesOf(c: pg.Client): Promise<IndexDef[]> {
  const tables = Object.keys(TABLES);
  const constraints = await c.query<{ table: string; name: string; def: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE contype IN ('p', 'u') AND conrelid::regclass::text = ANY($1::text[])`,
    [tables],
  );
  const owned = new Set(constraints.rows.map((r) => r.name));
  const indexes = await c.query<{ table: string; name: string; def: string }>(
    `SELECT tablename AS table, indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1::text[])`,
    [tables],
  );
  return [
    ...constraints.rows.map((r) => ({
      table: r.table,
      name: r.name,
      create: `ALTER TABLE ${r.table} ADD CONSTRAINT "${r.name}" ${r.def}`,
      drop: `ALTER TABLE ${r.table} DROP CONSTRAINT "${r.name}"`,
    })),
    ...indexes.rows.filter((r) => !owned.has(r.name)).map((r) => ({ table: r.table, name: r.name, create: r.def, drop: `DROP INDEX "${r.name}"` })),
  ];
}

/** Reads a manifest written by loadDataset, or undefined. */
export function readManifest(file: string): DatasetManifest | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DatasetManifest;
  } catch {
    return undefined;
  }
}

/** The layout a LoadOptions asks for, defaults filled in. */
export function layoutOf(o: Pick<LoadOptions, 'units' | 'distributors' | 'pharmacies' | 'lotSize'>): DatasetLayout {
  return { units: o.units, distributors: o.distributors ?? 1, pharmacies: o.pharmacies ?? 100, lotSize: o.lotSize ?? o.units };
}

/**
 * The manifest of the loaded data set when `database` holds exactly the layout asked for (checked against the
 * database's own checkpoint and unit count, not just the file), else undefined: the caller loads it again.
 */
export async function loadedDataset(o: Pick<LoadOptions, 'adminUrl' | 'database' | 'units' | 'distributors' | 'pharmacies' | 'lotSize' | 'manifestFile' | 'keyFile' | 'origin'>): Promise<DatasetManifest | undefined> {
  const manifest = o.manifestFile ? readManifest(o.manifestFile) : undefined;
  if (!manifest || !existsSync(o.keyFile) || manifest.database !== o.database || manifest.origin !== o.origin) return undefined;
  if (JSON.stringify(manifest.layout) !== JSON.stringify(layoutOf(o))) return undefined;
  const admin = new pg.Client({ connectionString: o.adminUrl });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [o.database])).rowCount === 1;
  await admin.end();
  if (!exists) return undefined;
  const c = new pg.Client({ connectionString: dbUrlOf(o.adminUrl, o.database) });
  await c.connect();
  try {
    const size = await c.query<{ n: string }>('SELECT max(size) AS n FROM checkpoints');
    const units = await c.query<{ n: string }>(`SELECT count(*) AS n FROM unit_state WHERE kind = 'unit'`);
    return Number(size.rows[0]?.n) >= manifest.entries && Number(units.rows[0]!.n) === o.units ? manifest : undefined;
  } catch {
    return undefined;
  } finally {
    await c.end();
  }
}

export async function loadDataset(o: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let phaseStart = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = (now - phaseStart) / 1000;
    phaseStart = now;
  };
  const layout = layoutOf(o);
  if (layout.units < 1 || layout.distributors < 1 || layout.pharmacies < 1 || layout.lotSize < 1) throw new Error('units, distributors, pharmacies and lot size must be at least 1');
  if (layout.units > 99_999_999) throw new Error('serials have 8 digits: at most 99,999,999 units');
  const workerCount = Math.max(1, o.workers ?? 2);
  const admin = new pg.Client({ connectionString: o.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${o.database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${o.database}`);
  await admin.end();
  const dbUrl = dbUrlOf(o.adminUrl, o.database);
  (await openSqlClient({ databaseUrl: dbUrl, poolSize: 1 }).then((c) => c.close()));
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();

  // 1. Registry: the manufacturer (with its company prefix), the distributors, the pharmacies; one device each, with
  // a broker password; tokens for the benchmarks.
  const sites: DatasetSite[] = [];
  const addSite = async (role: DatasetSite['role'], stem: string, name: string) => {
    const kp = generateKeyPairSync('ed25519');
    const jwk = kp.privateKey.export({ format: 'jwk' }) as { d: string; x: string };
    const g = gln(stem);
    const site: DatasetSite = { role, gln: g, location: `https://id.gs1.org/414/${g}/254/${name}`, device: `gw-${name}`, jwk: { d: jwk.d, x: jwk.x }, mqttPassword: `bench-${name}-${jwk.x.slice(0, 16)}` };
    sites.push(site);
  };
  await addSite('manufacturer', '952123450000', 'mfg');
  // One distributor keeps the old names (gw-dist), so bench/verify's data set reads as before.
  for (let d = 0; d < layout.distributors; d++) await addSite('distributor', `952124${String(d).padStart(6, '0')}`, layout.distributors === 1 ? 'dist' : `dist${d}`);
  for (let p = 0; p < layout.pharmacies; p++) await addSite('pharmacy', `9521235${String(p).padStart(5, '0')}`, `ph${p}`);
  const hashes = await Promise.all(sites.map((s) => hashMqttPassword(s.mqttPassword)));
  await db.query('BEGIN');
  await db.query(
    `INSERT INTO parties (gln, name, role) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [sites.map((s) => s.gln), sites.map((s) => s.device.slice(3)), sites.map((s) => s.role)],
  );
  await db.query(`INSERT INTO locations (sgln, party, name) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`, [
    sites.map((s) => s.location),
    sites.map((s) => s.gln),
    sites.map((s) => s.device.slice(3)),
  ]);
  await db.query(`INSERT INTO devices (device, location, status, mqtt_password_hash) SELECT d, l, 'active', h FROM unnest($1::text[], $2::text[], $3::text[]) AS t(d, l, h)`, [
    sites.map((s) => s.device),
    sites.map((s) => s.location),
    hashes,
  ]);
  await db.query('INSERT INTO device_keys (device, key_no, public_key, from_seq) SELECT d, 1, k, 0 FROM unnest($1::text[], $2::bytea[]) AS t(d, k)', [
    sites.map((s) => s.device),
    sites.map((s) => Buffer.from(s.jwk.x, 'base64url')),
  ]);
  const mfg = sites[0]!;
  await db.query('INSERT INTO party_company_prefixes (party, prefix) VALUES ($1, $2)', [mfg.gln, COMPANY_PREFIX]);
  await db.query('INSERT INTO parties (gln, name, role) VALUES ($1, $2, $3)', [gln('952123459999'), 'regulator', 'regulator']);
  await db.query('INSERT INTO tokens (token_hash, party, role) VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9)', [
    hashToken(BENCH_TOKEN), sites[pharmacySite(layout, 0)]!.gln, 'pharmacy',
    hashToken(BENCH_MANUFACTURER_TOKEN), mfg.gln, 'manufacturer',
    hashToken(BENCH_REGULATOR_TOKEN), gln('952123459999'), 'regulator',
  ]);
  await db.query('COMMIT');

  // 2. Event templates, one per lot, distributor and pharmacy: filled per unit with its serial and time.
  const dl = `https://id.gs1.org/01/${GTIN}/21/${SERIAL_PLACEHOLDER}`;
  const pgln = (s: DatasetSite) => `https://id.gs1.org/417/${s.gln}`;
  const at = (s: DatasetSite) => ({ readPoint: { id: s.location }, bizLocation: { id: s.location } });
  const base = { type: 'ObjectEvent', eventTime: TIME_PLACEHOLDER, eventTimeZoneOffset: '+00:00', epcList: [dl] };
  const route = (from: DatasetSite, to: DatasetSite) => ({
    sourceList: [{ type: 'owning_party', source: pgln(from) }, { type: 'location', source: from.location }],
    destinationList: [{ type: 'owning_party', destination: pgln(to) }, { type: 'location', destination: to.location }],
  });
  const template = (by: DatasetSite, event: Record<string, unknown>): EventTemplate => {
    const full = { ...event, '@context': CONTEXT };
    const signing = canonicalize({ v: 1, device: by.device, seq: SEQ_PLACEHOLDER, event: full })!;
    const pre = computeEventPreHash(full);
    if (!pre.ok) throw new Error(pre.message);
    // Facts as the server's rules read them from a filled instance (the placeholders are only serial and time).
    const sample = JSON.parse(JSON.stringify(full).replaceAll(SERIAL_PLACEHOLDER, 'S1'));
    const { index: _i, eventTime: _t, eventDate: _d, ...facts } = readCustodyFacts({ index: 0, eventId: null, eventTime: TIME_PLACEHOLDER, event: sample, party: by.gln }).facts;
    const factsTail = [facts.type, facts.action, facts.bizStep, facts.disposition, facts.party, facts.location, facts.sourceParty, facts.destinationParty,
      facts.destinationLocation, facts.parent, facts.lot, facts.expiry].map(copyText).join('\t') + `\t${facts.corrects ?? '\\N'}\t${facts.retractedBy ?? '\\N'}`;
    // unit_steps keeps its entry's pedigree facts (server/adapters/db/schema.ts unitSteps).
    const stepsTail = [facts.bizStep, facts.disposition, facts.party, facts.location, facts.destinationParty].map(copyText).join('\t') +
      `\t${facts.corrects ?? '\\N'}\t${facts.retractedBy ?? '\\N'}`;
    return { signing, json: JSON.stringify(full), preHash: pre.value, facts, factsTail, stepsTail };
  };
  const distributors = sites.filter((s) => s.role === 'distributor');
  const pharmacies = sites.filter((s) => s.role === 'pharmacy');
  const numbers = templateNumbers(layout);
  const templates: EventTemplate[] = new Array(numbers.count);
  for (let l = 0; l < lotCount(layout); l++) {
    templates[numbers.commission(l)] = template(mfg, {
      ...base, action: 'ADD', bizStep: 'commissioning', disposition: 'active', ...at(mfg),
      ilmd: { 'cbvmda:lotNumber': `LOT${l + 1}`, 'cbvmda:itemExpirationDate': '2029-12-31' },
    });
  }
  distributors.forEach((d, i) => {
    templates[numbers.shipToDistributor(i)] = template(mfg, { ...base, action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', readPoint: { id: mfg.location }, ...route(mfg, d) });
    templates[numbers.receiveAtDistributor(i)] = template(d, { ...base, action: 'OBSERVE', bizStep: 'receiving', disposition: 'active', ...at(d), ...route(mfg, d) });
  });
  pharmacies.forEach((p, i) => {
    const d = distributors[i % layout.distributors]!;
    templates[numbers.shipToPharmacy(i)] = template(d, { ...base, action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', readPoint: { id: d.location }, ...route(d, p) });
    templates[numbers.receiveAtPharmacy(i)] = template(p, { ...base, action: 'OBSERVE', bizStep: 'receiving', disposition: 'active', ...at(p), ...route(d, p) });
  });
  // Every template must give the real hash ID and the real signed bytes: checked on a filled instance of each.
  for (const tpl of templates) {
    const time = '2026-01-01T00:00:01.000Z';
    const event = JSON.parse(tpl.json.replaceAll(SERIAL_PLACEHOLDER, 'S1').replaceAll(TIME_PLACEHOLDER, time));
    const real = computeEventHashId(event);
    if (!real.ok || real.value !== hashIdFromPreHash(tpl.preHash.replaceAll(SERIAL_PLACEHOLDER, 'S1').replaceAll(TIME_PLACEHOLDER, time))) throw new Error('hash template mismatch');
    const device = /"device":"([^"]+)"/.exec(tpl.signing)![1]!;
    const signing = tpl.signing.replaceAll(SERIAL_PLACEHOLDER, 'S1').replaceAll(TIME_PLACEHOLDER, time).replace(`"seq":${SEQ_PLACEHOLDER}`, '"seq":7');
    if (signing !== canonicalize({ v: 1, device, seq: 7, event })) throw new Error('signing template mismatch');
  }
  if (EVENT_SIGNING_PREFIX !== EVENT_SIGNING_CONTEXT) throw new Error('the envelope signing context changed');
  phase('registry');

  // 3. Drop the indexes whose keys arrive in random order (the GIN index on entries.event, the unique event hash IDs):
  // built once at the end, they cost a fraction of 5 million random inserts. Keys that arrive in ascending order (index,
  // serial, seq per device, level and index of tree nodes) are kept: appending to the right edge of a btree is cheap,
  // cheaper than one more scan of the 12 GB entries heap to build them afterwards.
  const indexes = (await indexesOf(db)).filter((ix) => / USING gin /i.test(ix.create) || /\(event_id\)/.test(ix.create));
  for (const ix of indexes) await db.query(ix.drop);

  // 4. Entries, block by block on the workers; the tree here, in index order.
  const init: WorkerInit = { gtin: GTIN, layout, sites: sites.map((s) => ({ device: s.device, gln: s.gln, jwk: s.jwk })), templates };
  const workers = Array.from({ length: workerCount }, () => new Worker(new URL('./load-dataset-worker-entry.mjs', import.meta.url), { workerData: init }));
  const waiting = new Map<number, { resolve: (r: BlockResult) => void; reject: (e: Error) => void }>();
  for (const w of workers) {
    w.on('message', (m: BlockResult | { id: number; error: string }) => {
      const p = waiting.get(m.id)!;
      waiting.delete(m.id);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(m);
    });
    w.on('error', (e) => {
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
    });
  }
  const copies = {
    entries: new CopyStream(dbUrl, 'entries'),
    nodes: new CopyStream(dbUrl, 'tree_nodes'),
    links: new CopyStream(dbUrl, 'entry_units'),
    heads: new CopyStream(dbUrl, 'unit_heads'),
    facts: new CopyStream(dbUrl, 'custody_events'),
    steps: new CopyStream(dbUrl, 'unit_steps'),
    states: new CopyStream(dbUrl, 'unit_state'),
  };

  const BLOCK = 2000;
  const seqs = new Array<number>(siteCount(layout)).fill(0);
  const jobs: Promise<BlockResult>[] = [];
  let nextUnit = 0;
  let nextIdx = 0;
  let jobNo = 0;
  const dispatch = () => {
    if (nextUnit >= layout.units) return;
    const n = Math.min(BLOCK, layout.units - nextUnit);
    const job: BlockJob = { id: jobNo, firstUnit: nextUnit, units: n, firstIdx: nextIdx, seqStart: [...seqs] };
    // Each unit: two manufacturer entries, two at its distributor, one at its pharmacy.
    for (let u = nextUnit; u < nextUnit + n; u++) {
      seqs[0]! += 2;
      seqs[distributorSite(distributorOf(layout, u))]! += 2;
      seqs[pharmacySite(layout, pharmacyOf(layout, u))]! += 1;
    }
    const worker = workers[jobNo % workers.length]!;
    jobs.push(new Promise<BlockResult>((resolve, reject) => waiting.set(job.id, { resolve, reject })));
    worker.postMessage(job);
    jobNo++;
    nextUnit += n;
    nextIdx += n * STAGES;
  };
  // Two blocks in flight per worker keep every thread busy while the main thread writes.
  for (let k = 0; k < workers.length * 2; k++) dispatch();
  let frontier: TreeFrontier = EMPTY_FRONTIER;
  let loadedUnits = 0;
  let lastReport = performance.now();
  try {
    for (let k = 0; k < jobs.length; k++) {
      const r = await jobs[k]!;
      delete jobs[k]; // a block's output is tens of MB: keep only the ones in flight
      dispatch();
      const leaves: Uint8Array[] = [];
      for (let i = 0; i < r.leaves.length; i += 32) leaves.push(r.leaves.subarray(i, i + 32));
      const appended = appendLeaves(frontier, leaves);
      frontier = appended.frontier;
      let nodeLines = '';
      for (const node of appended.nodes) nodeLines += `${node.level}\t${node.index}\t\\\\x${Buffer.from(node.hash).toString('hex')}\n`;
      await Promise.all([
        copies.entries.write(r.copy.entries),
        copies.nodes.write(nodeLines),
        copies.links.write(r.copy.links),
        copies.heads.write(r.copy.heads),
        copies.facts.write(r.copy.facts),
        copies.steps.write(r.copy.steps),
        copies.states.write(r.copy.states),
      ]);
      loadedUnits += r.leaves.length / 32 / STAGES;
      if (performance.now() - lastReport > 10_000 || loadedUnits === layout.units) {
        lastReport = performance.now();
        const s = (lastReport - started) / 1000;
        o.log(`entries: ${loadedUnits.toLocaleString('en-US')} units / ${frontier.size.toLocaleString('en-US')} entries in ${s.toFixed(0)} s (${Math.round(frontier.size / Math.max(0.001, s - (phases.registry ?? 0)))} entries/s)`);
      }
    }
  } finally {
    for (const w of workers) await w.terminate();
  }
  for (const c of Object.values(copies)) await c.end();
  const key = loadOrCreateLedgerKey(o.keyFile);
  const signer = createLedgerSigner({ origin: o.origin, secretKey: key.secretKey });
  const root = appendLeaves(frontier, []).root;
  await db.query('INSERT INTO checkpoints (size, root, note) VALUES ($1, $2, $3)', [frontier.size, root, signer.signCheckpoint(frontier.size, root)]);
  await db.query('INSERT INTO custody_progress (id, applied_through) VALUES (1, $1)', [frontier.size - 1]);
  phase('entries');

  // 5. The dropped indexes, two builds at a time (one per core), biggest tables first.
  const size = new Map<string, number>();
  for (const r of (await db.query<{ t: string; b: string }>(`SELECT relname AS t, pg_relation_size(oid) AS b FROM pg_class WHERE relname = ANY($1::text[])`, [Object.keys(TABLES)])).rows) size.set(r.t, Number(r.b));
  const queue = [...indexes].sort((a, b) => (size.get(b.table) ?? 0) - (size.get(a.table) ?? 0) || (a.create.includes(' gin ') ? -1 : 1));
  const builders = await Promise.all(
    [0, 1].map(async () => {
      const c = new pg.Client({ connectionString: dbUrl });
      await c.connect();
      await c.query(`SET maintenance_work_mem = '1GB'`);
      return c;
    }),
  );
  await Promise.all(
    builders.map(async (c) => {
      for (let ix = queue.shift(); ix; ix = queue.shift()) {
        const t0 = performance.now();
        await c.query(ix.create);
        o.log(`index ${ix.name} on ${ix.table}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      await c.end();
    }),
  );
  phase('indexes');
  await db.query('ANALYZE');
  phase('analyze');
  await db.end();

  const manifest: DatasetManifest = { database: o.database, origin: o.origin, gtin: GTIN, layout, entries: frontier.size, sites };
  if (o.manifestFile) writeFileSync(o.manifestFile, JSON.stringify(manifest), { mode: 0o600 });
  return { entries: frontier.size, seconds: (performance.now() - started) / 1000, manifest, phases };
}
