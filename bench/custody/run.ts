// bench/custody: the cost of the custody rules on the append path. Appends a supply-chain stream (commission, pack,
// ship, receive, ship, receive, dispense) in batches of 1000, once with the log append alone and once with the rules
// applied after each batch (as the projector does), on PGlite and on PostgreSQL; reports entries/s of each and the
// rules' share. Envelope checks (signature, schema, hash) are the same with or without rules and are left out, so
// this ratio is an upper bound on what the rules cost end to end (`PEDIGREE_CUSTODY_RULES=off` + bench/ingest
// measures it through MQTT).
//   npm run bench -- custody [--units 20000] [--store pglite|postgres|both]
import { parseArgs } from 'node:util';
import { openSqlClient, type SqlClient } from '../../server/adapters/db/sql-client.js';
import { createSqlLedgerStore } from '../../server/adapters/db/ledger-store.js';
import { createSqlCustodyStore } from '../../server/adapters/db/custody-store.js';
import { createLedgerSigner } from '../../server/adapters/ledger-signer.js';
import { appendEntries } from '../../server/domain/append-entries.js';
import { applyCustodyRules } from '../../server/domain/apply-custody-rules.js';
import { eventIdentifiers } from '../../server/domain/event-identifiers.js';
import type { CandidateEntry } from '../../server/domain/ports.js';
import { computeCheckDigit } from '../../schemas/gs1/check-digit.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { createTestDatabase } from '../../test/harness/databases.js';
import { fmt, printTable } from '../lib/stats.js';

const { values } = parseArgs({
  options: { units: { type: 'string', default: '20000' }, store: { type: 'string', default: 'both' } },
  allowPositionals: true,
});
const UNITS = Number(values.units);
const BATCH = 1000;
process.env.PEDIGREE_TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

const gln = (stem: string) => stem + computeCheckDigit(stem);
const sites = { mfg: gln('952123450000'), dist: gln('952123450010'), ph: gln('952123450020') };
const loc = (g: string) => `https://id.gs1.org/414/${g}/254/bench`;
const sscc = (n: number) => {
  const stem = `09521234${String(n).padStart(9, '0')}`;
  return `https://id.gs1.org/00/${stem}${computeCheckDigit(stem)}`;
};

/** The event stream: per 10 units, one case; 7 entries a unit on average. */
function stream(): { event: Record<string, unknown>; device: string }[] {
  const out: { event: Record<string, unknown>; device: string }[] = [];
  let t = Date.UTC(2026, 0, 1);
  const time = () => new Date((t += 1000)).toISOString();
  const base = (g: string, extra: Record<string, unknown>) => ({ eventTimeZoneOffset: '+00:00', readPoint: { id: loc(g) }, bizLocation: { id: loc(g) }, ...extra });
  const party = (k: 'source' | 'destination', g: string) => [{ type: 'owning_party', [k]: `https://id.gs1.org/417/${g}` }];
  for (let c = 0; c < UNITS / 10; c++) {
    const units = Array.from({ length: 10 }, (_, i) => `https://id.gs1.org/01/09506000134352/21/B${c * 10 + i}`);
    const box = sscc(c);
    for (const u of units) out.push({ device: 'gw-mfg', event: { type: 'ObjectEvent', eventTime: time(), ...base(sites.mfg, {}), epcList: [u], action: 'ADD', bizStep: 'commissioning', disposition: 'active', ilmd: { 'cbvmda:lotNumber': 'L1', 'cbvmda:itemExpirationDate': '2029-12-31' } } });
    for (const u of units) out.push({ device: 'gw-mfg', event: { type: 'AggregationEvent', eventTime: time(), ...base(sites.mfg, {}), parentID: box, childEPCs: [u], action: 'ADD', bizStep: 'packing' } });
    out.push({ device: 'gw-mfg', event: { type: 'ObjectEvent', eventTime: time(), ...base(sites.mfg, {}), epcList: [box], action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', sourceList: party('source', sites.mfg), destinationList: party('destination', sites.dist) } });
    out.push({ device: 'gw-dist', event: { type: 'ObjectEvent', eventTime: time(), ...base(sites.dist, {}), epcList: [box], action: 'OBSERVE', bizStep: 'receiving', disposition: 'active', sourceList: party('source', sites.mfg), destinationList: party('destination', sites.dist) } });
    out.push({ device: 'gw-dist', event: { type: 'ObjectEvent', eventTime: time(), ...base(sites.dist, {}), epcList: [box], action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', sourceList: party('source', sites.dist), destinationList: party('destination', sites.ph) } });
    out.push({ device: 'gw-ph', event: { type: 'ObjectEvent', eventTime: time(), ...base(sites.ph, {}), epcList: [box], action: 'OBSERVE', bizStep: 'receiving', disposition: 'active', sourceList: party('source', sites.dist), destinationList: party('destination', sites.ph) } });
    for (const u of units.slice(0, 5)) out.push({ device: 'gw-ph', event: { type: 'ObjectEvent', eventTime: time(), ...base(sites.ph, {}), epcList: [u], action: 'OBSERVE', bizStep: 'dispensing', disposition: 'dispensed' } });
  }
  return out;
}

function candidates(): CandidateEntry[] {
  const seqs = new Map<string, number>();
  return stream().map(({ event, device }, i) => {
    const seq = (seqs.get(device) ?? 0) + 1;
    seqs.set(device, seq);
    const bytes = new TextEncoder().encode(JSON.stringify({ v: 1, device, seq, event, sig: 'x'.repeat(86) }));
    return {
      kind: 'device',
      bytes,
      device,
      seq,
      eventId: `ni:///sha-256;${String(i).padStart(64, '0')}?ver=CBV2.0`,
      eventTime: String(event.eventTime),
      event,
      identifiers: eventIdentifiers(event),
    };
  });
}

async function registry(sql: SqlClient): Promise<void> {
  for (const [name, g] of Object.entries(sites)) {
    await sql.query('INSERT INTO parties (gln, name, role) VALUES ($1, $2, $3)', [g, name, name === 'ph' ? 'pharmacy' : name === 'mfg' ? 'manufacturer' : 'distributor']);
    await sql.query('INSERT INTO locations (sgln, party, name) VALUES ($1, $2, $3)', [loc(g), g, name]);
    await sql.query(`INSERT INTO devices (device, location, status, mqtt_password_hash) VALUES ($1, $2, 'active', 'x')`, [`gw-${name}`, loc(g)]);
  }
}

async function run(store: 'pglite' | 'postgres', withRules: boolean, list: readonly CandidateEntry[]): Promise<{ rate: number; rulesShare: number }> {
  let drop: (() => Promise<void>) | undefined;
  let sql: SqlClient;
  if (store === 'postgres') {
    const db = await createTestDatabase();
    drop = db.drop;
    sql = await openSqlClient({ databaseUrl: db.url, poolSize: 4 });
  } else {
    sql = await openSqlClient({ dataDir: 'memory://' });
  }
  try {
    await registry(sql);
    const ledger = createSqlLedgerStore(sql);
    const custody = createSqlCustodyStore(sql);
    const signer = createLedgerSigner({ origin: 'bench/custody', secretKey: generateKeyPair().secretKey });
    const parties = new Map<string, string | null>();
    let rulesMs = 0;
    const started = performance.now();
    for (let i = 0; i < list.length; i += BATCH) {
      const r = await appendEntries(ledger, signer, list.slice(i, i + BATCH));
      if (!withRules) continue;
      const t0 = performance.now();
      const applied = r.outcomes.flatMap((o) => (o.status === 'accepted' ? [{ index: o.index, eventId: o.eventId, eventTime: o.candidate.eventTime, event: o.candidate.event, device: o.candidate.device }] : []));
      await custody.apply((tx) => applyCustodyRules(tx, applied, { parties }));
      rulesMs += performance.now() - t0;
    }
    const ms = performance.now() - started;
    if (withRules) {
      const [alerts] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts');
      if (Number(alerts?.n) !== 0) throw new Error(`the clean stream raised ${alerts?.n} alerts`);
    }
    return { rate: (list.length * 1000) / ms, rulesShare: rulesMs / ms };
  } finally {
    await sql.close();
    await drop?.();
  }
}

const list = candidates();
const stores = values.store === 'both' ? (['pglite', 'postgres'] as const) : ([values.store] as ('pglite' | 'postgres')[]);
const rows: string[][] = [];
for (const store of stores) {
  const off = await run(store, false, list);
  const on = await run(store, true, list);
  rows.push([store, fmt(list.length), fmt(off.rate), fmt(on.rate), `${fmt((1 - on.rate / off.rate) * 100, 1)} %`, `${fmt(on.rulesShare * 100, 1)} %`]);
}
console.log(`\nbench/custody: ${fmt(UNITS)} units, batches of ${BATCH}\n`);
printTable(['store', 'entries', 'append only /s', 'append + rules /s', 'slower by', 'rules share of time'], rows);
