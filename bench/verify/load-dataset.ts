// Loads a verification data set straight into PostgreSQL, without MQTT: N units, each commissioned, shipped to the
// distributor, received, shipped to one of the pharmacies and received there (5 entries a unit). Every entry is a
// real signed envelope (Ed25519 by its device's key, in worker threads) with its CBV 2.0 event hash ID; the tree
// nodes, chain links, custody projection and a signed checkpoint are computed here and streamed with COPY (psql),
// so the ledger started on the database serves verification at once, and `audit` would pass.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import canonicalize from 'canonicalize';
import { computeEventHashId, computeEventPreHash, hashIdFromPreHash } from '../../schemas/epcis/event-hash.js';
import { computeCheckDigit } from '../../schemas/gs1/check-digit.js';
import { EVENT_SIGNING_CONTEXT } from '../../schemas/signing/envelope.js';
import { appendLeaves, EMPTY_FRONTIER, type TreeFrontier } from '../../server/log/append-leaves.js';
import { openSqlClient } from '../../server/adapters/db/sql-client.js';
import { loadOrCreateLedgerKey } from '../../server/adapters/ledger-key-file.js';
import { createLedgerSigner } from '../../server/adapters/ledger-signer.js';
import { hashToken } from '../../server/domain/create-token.js';
import { foldSteps, type FoldStep } from '../../server/domain/custody-fold.js';
import { emptyState, type CustodyFacts, type UnitState } from '../../server/domain/custody-model.js';

export const GTIN = '09506000134352';
export const BENCH_TOKEN = 'pdg_pharmacy_bench-verify-token-0123456789';
const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { cbvmda: 'urn:epcglobal:cbv:mda:' }];
const SERIAL = 'QQSERIALQQ';
const TIME = '2000-01-01T00:00:00.000Z';
const SEQ = 987654321987;
const BASE_MS = Date.UTC(2026, 0, 1);

export interface LoadOptions {
  /** Admin URL of the server (any database); the data set goes into `database`, recreated. */
  readonly adminUrl: string;
  readonly database: string;
  readonly units: number;
  readonly pharmacies: number;
  readonly keyFile: string;
  readonly origin: string;
  readonly workers: number;
  readonly log: (line: string) => void;
}

export const serialOf = (i: number) => `S${String(i).padStart(8, '0')}`;
const gln = (stem: string) => stem + computeCheckDigit(stem);

interface Site {
  readonly gln: string;
  readonly location: string;
  readonly device: string;
  readonly deviceNo: number;
  seq: number;
}

/** A COPY … FROM STDIN through psql, with backpressure. */
class CopyStream {
  readonly #child: ChildProcess;
  readonly #done: Promise<void>;
  #err = '';
  constructor(url: string, table: string, columns: readonly string[]) {
    this.#child = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `COPY ${table} (${columns.join(', ')}) FROM STDIN`], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.#child.stderr!.on('data', (d) => (this.#err += d));
    this.#done = new Promise((resolve, reject) =>
      this.#child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`COPY ${table}: ${this.#err}`)))),
    );
  }
  async write(lines: string): Promise<void> {
    if (!this.#child.stdin!.write(lines)) await new Promise((r) => this.#child.stdin!.once('drain', r));
  }
  async end(): Promise<void> {
    this.#child.stdin!.end();
    await this.#done;
  }
}

/** COPY text format (PostgreSQL docs, COPY "Text Format"). */
function t(v: string | number | boolean | null): string {
  if (v === null) return '\\N';
  if (typeof v !== 'string') return String(v);
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
const hex = (b: Uint8Array) => `\\\\x${Buffer.from(b).toString('hex')}`;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const keys = workerData.jwks.map((j) => createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: j.d, x: j.x }, format: 'jwk' }));
parentPort.on('message', ({ id, devices, messages }) => {
  const sigs = messages.map((m, i) => sign(null, m, keys[devices[i]]).toString('base64url'));
  parentPort.postMessage({ id, sigs });
});`;

interface Template {
  readonly signing: string;
  readonly json: string;
  readonly preHash: string;
}

function template(device: string, event: Record<string, unknown>): Template {
  const signing = canonicalize({ v: 1, device, seq: SEQ, event })!;
  const pre = computeEventPreHash(event);
  if (!pre.ok) throw new Error(pre.message);
  return { signing, json: JSON.stringify(event), preHash: pre.value };
}

const fill = (s: string, serial: string, time: string) => s.replaceAll(SERIAL, serial).replaceAll(TIME, time);

export async function loadDataset(o: LoadOptions): Promise<{ entries: number; seconds: number }> {
  const started = performance.now();
  const admin = new pg.Client({ connectionString: o.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${o.database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${o.database}`);
  await admin.end();
  const url = new URL(o.adminUrl);
  url.pathname = `/${o.database}`;
  const dbUrl = url.toString();
  const migrated = await openSqlClient({ databaseUrl: dbUrl, poolSize: 2 });

  // Registry: a manufacturer, a distributor, the pharmacies; one device each.
  const sites: Site[] = [];
  const site = (stem: string, name: string) => {
    const g = gln(stem);
    const s: Site = { gln: g, location: `https://id.gs1.org/414/${g}/254/${name}`, device: `gw-${name}`, deviceNo: sites.length, seq: 0 };
    sites.push(s);
    return s;
  };
  const mfg = site('952123450000', 'mfg');
  const dist = site('952123450010', 'dist');
  const pharmacies = Array.from({ length: o.pharmacies }, (_, i) => site(`9521235${String(i).padStart(5, '0')}`, `ph${i}`));
  const jwks: { d: string; x: string }[] = [];
  for (const s of sites) {
    const kp = generateKeyPairSync('ed25519');
    const jwk = kp.privateKey.export({ format: 'jwk' }) as { d: string; x: string };
    jwks.push(jwk);
    const role = s === mfg ? 'manufacturer' : s === dist ? 'distributor' : 'pharmacy';
    await migrated.query('INSERT INTO parties (gln, name, role) VALUES ($1, $2, $3)', [s.gln, s.device.slice(3), role]);
    await migrated.query('INSERT INTO locations (sgln, party, name) VALUES ($1, $2, $3)', [s.location, s.gln, s.device.slice(3)]);
    await migrated.query(`INSERT INTO devices (device, location, status, mqtt_password_hash) VALUES ($1, $2, 'active', 'x')`, [s.device, s.location]);
    await migrated.query('INSERT INTO device_keys (device, key_no, public_key, from_seq) VALUES ($1, 1, $2, 0)', [s.device, Buffer.from(jwk.x, 'base64url')]);
  }
  await migrated.query('INSERT INTO tokens (token_hash, party, role) VALUES ($1, $2, $3)', [hashToken(BENCH_TOKEN), pharmacies[0]!.gln, 'pharmacy']);

  // Event templates, one per step and site: filled per unit with its serial and time.
  const dl = `https://id.gs1.org/01/${GTIN}/21/${SERIAL}`;
  const pgln = (s: Site) => `https://id.gs1.org/417/${s.gln}`;
  const at = (s: Site) => ({ readPoint: { id: s.location }, bizLocation: { id: s.location } });
  const commission = template(mfg.device, {
    type: 'ObjectEvent', eventTime: TIME, eventTimeZoneOffset: '+00:00', epcList: [dl], action: 'ADD', bizStep: 'commissioning',
    disposition: 'active', ...at(mfg), ilmd: { 'cbvmda:lotNumber': 'LOT1', 'cbvmda:itemExpirationDate': '2029-12-31' }, '@context': CONTEXT,
  });
  const ship = (from: Site, to: Site) =>
    template(from.device, {
      type: 'ObjectEvent', eventTime: TIME, eventTimeZoneOffset: '+00:00', epcList: [dl], action: 'OBSERVE', bizStep: 'shipping',
      disposition: 'in_transit', readPoint: { id: from.location },
      sourceList: [{ type: 'owning_party', source: pgln(from) }, { type: 'location', source: from.location }],
      destinationList: [{ type: 'owning_party', destination: pgln(to) }, { type: 'location', destination: to.location }], '@context': CONTEXT,
    });
  const receive = (from: Site, to: Site) =>
    template(to.device, {
      type: 'ObjectEvent', eventTime: TIME, eventTimeZoneOffset: '+00:00', epcList: [dl], action: 'OBSERVE', bizStep: 'receiving',
      disposition: 'active', ...at(to),
      sourceList: [{ type: 'owning_party', source: pgln(from) }, { type: 'location', source: from.location }],
      destinationList: [{ type: 'owning_party', destination: pgln(to) }, { type: 'location', destination: to.location }], '@context': CONTEXT,
    });
  const mfgToDist = ship(mfg, dist);
  const distReceives = receive(mfg, dist);
  const toPharmacy = pharmacies.map((p) => ship(dist, p));
  const pharmacyReceives = pharmacies.map((p) => receive(dist, p));
  // The templates must give the real hash ID: checked on one filled instance.
  {
    const e = JSON.parse(fill(mfgToDist.json, 'S1', '2026-01-01T00:00:01.000Z'));
    const real = computeEventHashId(e);
    if (!real.ok || real.value !== hashIdFromPreHash(fill(mfgToDist.preHash, 'S1', '2026-01-01T00:00:01.000Z'))) throw new Error('hash template mismatch');
  }

  const workers = Array.from({ length: o.workers }, () => new Worker(WORKER, { eval: true, workerData: { jwks } }));
  let nextId = 0;
  const pending = new Map<number, (sigs: string[]) => void>();
  for (const w of workers) w.on('message', (m: { id: number; sigs: string[] }) => pending.get(m.id)!(m.sigs));
  const signAll = async (devices: number[], messages: Buffer[]): Promise<string[]> => {
    const per = Math.ceil(messages.length / workers.length);
    const parts = await Promise.all(
      workers.map((w, k) => {
        const id = nextId++;
        const p = new Promise<string[]>((resolve) => pending.set(id, resolve));
        w.postMessage({ id, devices: devices.slice(k * per, (k + 1) * per), messages: messages.slice(k * per, (k + 1) * per) });
        return p;
      }),
    );
    return parts.flat();
  };

  const copies = {
    entries: new CopyStream(dbUrl, 'entries', ['idx', 'leaf_hash', 'bytes', 'kind', 'device', 'seq', 'event_id', 'event_time', 'event']),
    nodes: new CopyStream(dbUrl, 'tree_nodes', ['level', 'idx', 'hash']),
    links: new CopyStream(dbUrl, 'entry_units', ['epc', 'entry_idx', 'prev_idx']),
    heads: new CopyStream(dbUrl, 'unit_heads', ['epc', 'last_idx']),
    facts: new CopyStream(dbUrl, 'custody_events', [
      'idx', 'event_time', 'event_date', 'type', 'action', 'biz_step', 'disposition', 'party', 'location', 'source_party',
      'destination_party', 'destination_location', 'parent', 'lot', 'expiry', 'corrects', 'retracted_by',
    ]),
    steps: new CopyStream(dbUrl, 'unit_steps', ['epc', 'entry_idx', 'event_time', 'role', 'via', 'lot', 'expiry']),
    states: new CopyStream(dbUrl, 'unit_state', [
      'epc', 'kind', 'gtin', 'serial', 'sscc', 'state', 'commissioned_idx', 'lot', 'expiry', 'owner', 'custodian', 'location',
      'custody_idx', 'destination_party', 'destination_location', 'ship_idx', 'terminal_idx', 'container', 'container_idx',
      'recalled', 'recall_idx', 'quarantined', 'unknown_alerted', 'last_idx', 'last_event_time',
    ]),
  };

  let frontier: TreeFrontier = EMPTY_FRONTIER;
  let index = 0;
  const BLOCK = 4000;
  for (let first = 0; first < o.units; first += BLOCK) {
    const n = Math.min(BLOCK, o.units - first);
    interface Planned {
      unit: number;
      site: Site;
      tpl: Template;
      facts: Omit<CustodyFacts, 'index' | 'eventTime' | 'eventDate'>;
    }
    const planned: Planned[] = [];
    const factsOf = (bizStep: string, disposition: string, by: Site, to: Site | null, from: Site | null, action = 'OBSERVE') => ({
      type: 'ObjectEvent', action, bizStep, disposition, party: by.gln, location: by.location, sourceParty: from?.gln ?? null,
      destinationParty: to?.gln ?? null, destinationLocation: to?.location ?? null, parent: null,
      lot: bizStep === 'commissioning' ? 'LOT1' : null, expiry: bizStep === 'commissioning' ? '2029-12-31' : null, corrects: null, retractedBy: null,
    });
    // Stage by stage across the block, as a supply chain would record them.
    for (let u = first; u < first + n; u++) planned.push({ unit: u, site: mfg, tpl: commission, facts: factsOf('commissioning', 'active', mfg, null, null, 'ADD') });
    for (let u = first; u < first + n; u++) planned.push({ unit: u, site: mfg, tpl: mfgToDist, facts: factsOf('shipping', 'in_transit', mfg, dist, mfg) });
    for (let u = first; u < first + n; u++) planned.push({ unit: u, site: dist, tpl: distReceives, facts: factsOf('receiving', 'active', dist, dist, mfg) });
    for (let u = first; u < first + n; u++) {
      const p = u % pharmacies.length;
      planned.push({ unit: u, site: dist, tpl: toPharmacy[p]!, facts: factsOf('shipping', 'in_transit', dist, pharmacies[p]!, dist) });
    }
    for (let u = first; u < first + n; u++) {
      const p = u % pharmacies.length;
      const ph = pharmacies[p]!;
      planned.push({ unit: u, site: ph, tpl: pharmacyReceives[p]!, facts: factsOf('receiving', 'active', ph, ph, dist) });
    }
    const messages: Buffer[] = [];
    const devices: number[] = [];
    const rows = planned.map((pl) => {
      const idx = index++;
      const seq = pl.site.seq++;
      const time = new Date(BASE_MS + idx * 1000).toISOString();
      const serial = serialOf(pl.unit);
      const signing = fill(pl.tpl.signing, serial, time).replace(String(SEQ), String(seq));
      messages.push(Buffer.from(EVENT_SIGNING_CONTEXT + signing, 'utf8'));
      devices.push(pl.site.deviceNo);
      return { pl, idx, seq, time, serial, signing };
    });
    const sigs = await signAll(devices, messages);
    const leaves: Uint8Array[] = [];
    let entryLines = '';
    let factLines = '';
    let stepLines = '';
    let linkLines = '';
    const perUnit = new Map<number, FoldStep[]>();
    const prevOf = new Map<number, number>();
    rows.forEach((r, k) => {
      const bytes = Buffer.from(`${r.signing.slice(0, -'"v":1}'.length)}"sig":"${sigs[k]}","v":1}`, 'utf8');
      const leaf = createHash('sha256').update(Buffer.from([0])).update(bytes).digest();
      leaves.push(leaf);
      const eventId = hashIdFromPreHash(fill(r.pl.tpl.preHash, r.serial, r.time));
      const epc = `https://id.gs1.org/01/${GTIN}/21/${r.serial}`;
      entryLines += `${r.idx}\t${hex(leaf)}\t${hex(bytes)}\tdevice\t${t(r.pl.site.device)}\t${r.seq}\t${t(eventId)}\t${r.time}\t${t(fill(r.pl.tpl.json, r.serial, r.time))}\n`;
      const facts: CustodyFacts = { ...r.pl.facts, index: r.idx, eventTime: r.time, eventDate: r.time.slice(0, 10) };
      factLines += [facts.index, facts.eventTime, facts.eventDate, facts.type, facts.action, facts.bizStep, facts.disposition, facts.party, facts.location,
        facts.sourceParty, facts.destinationParty, facts.destinationLocation, facts.parent, facts.lot, facts.expiry, facts.corrects, facts.retractedBy].map(t).join('\t') + '\n';
      stepLines += `${t(epc)}\t${r.idx}\t${r.time}\tobject\t\\N\t\\N\t\\N\n`;
      linkLines += `${t(epc)}\t${r.idx}\t${prevOf.has(r.pl.unit) ? prevOf.get(r.pl.unit) : '\\N'}\n`;
      prevOf.set(r.pl.unit, r.idx);
      let list = perUnit.get(r.pl.unit);
      if (!list) perUnit.set(r.pl.unit, (list = []));
      list.push({ step: { epc, index: r.idx, eventTime: r.time, role: 'object', via: null, lot: null, expiry: null }, facts });
    });
    const appended = appendLeaves(frontier, leaves);
    frontier = appended.frontier;
    let nodeLines = '';
    for (const node of appended.nodes) nodeLines += `${node.level}\t${node.index}\t${hex(node.hash)}\n`;
    let stateLines = '';
    let headLines = '';
    for (const [u, list] of perUnit) {
      const epc = list[0]!.step.epc;
      const s: UnitState = foldSteps(emptyState(epc), list).state;
      stateLines += [s.epc, s.kind, s.gtin, s.serial, s.sscc, s.state, s.commissionedIndex, s.lot, s.expiry, s.owner, s.custodian, s.location,
        s.custodyIndex, s.destinationParty, s.destinationLocation, s.shipIndex, s.terminalIndex, s.container, s.containerIndex,
        s.recalled, s.recallIndex, s.quarantined, s.unknownAlerted, s.lastIndex, s.lastEventTime].map(t).join('\t') + '\n';
      headLines += `${t(epc)}\t${prevOf.get(u)}\n`;
    }
    await Promise.all([
      copies.entries.write(entryLines),
      copies.nodes.write(nodeLines),
      copies.links.write(linkLines),
      copies.heads.write(headLines),
      copies.facts.write(factLines),
      copies.steps.write(stepLines),
      copies.states.write(stateLines),
    ]);
    const done = first + n;
    if (done % (BLOCK * 10) === 0 || done === o.units) {
      const s = (performance.now() - started) / 1000;
      o.log(`loaded ${done.toLocaleString('en-US')} units / ${index.toLocaleString('en-US')} entries in ${s.toFixed(0)} s (${Math.round(index / s)} entries/s)`);
    }
  }
  for (const w of workers) await w.terminate();
  for (const c of Object.values(copies)) await c.end();

  const key = loadOrCreateLedgerKey(o.keyFile);
  const signer = createLedgerSigner({ origin: o.origin, secretKey: key.secretKey });
  const root = appendLeaves(frontier, []).root;
  await migrated.query('INSERT INTO checkpoints (size, root, note) VALUES ($1, $2, $3)', [index, root, signer.signCheckpoint(index, root)]);
  await migrated.query('INSERT INTO custody_progress (id, applied_through) VALUES (1, $1)', [index - 1]);
  o.log('analyzing');
  await migrated.query('VACUUM ANALYZE');
  await migrated.close();
  return { entries: index, seconds: (performance.now() - started) / 1000 };
}
