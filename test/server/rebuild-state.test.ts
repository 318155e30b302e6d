// Derived state is a projection of the log (DESIGN.md §6): after a long mixed scenario over MQTT (packing, shipping,
// receiving, dispensing, late and out-of-order events from concurrent sites, clones, wrong receipts, retractions),
// rebuild-state replays the log and yields exactly the live unit state, steps and alerts.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildCustodyState } from '../../server/domain/rebuild-custody-state.js';
import { createSqlCustodyStore } from '../../server/adapters/db/custody-store.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { at, errorDeclaration, events, gln, openSite, recallEvent, record, settle, sscc, type Site } from '../harness/custody-sites.js';

const stores = process.env.PEDIGREE_TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
const suffix = Math.random().toString(36).slice(2, 8);

/** mulberry32: a seeded PRNG, so the scenario is the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function snapshot(h: LedgerHarness) {
  const q = (sql: string) => h.ledger.sql.query<Record<string, unknown>>(sql);
  const norm = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.parse(JSON.stringify(r)));
  return {
    state: norm(await q('SELECT * FROM unit_state ORDER BY epc')),
    steps: norm(await q('SELECT * FROM unit_steps ORDER BY epc, entry_idx')),
    facts: norm(await q('SELECT * FROM custody_events ORDER BY idx')),
    alerts: norm(await q('SELECT id, code, epc, trigger_idx, evidence, sites, status, resolved_by FROM alerts ORDER BY id')),
    through: norm(await q('SELECT applied_through FROM custody_progress')),
  };
}

describe.each(stores)('rebuild-state on %s', (store) => {
  let h: LedgerHarness;
  let sites: Record<'mfg' | 'dist' | 'ph1' | 'ph2', Site>;

  beforeAll(async () => {
    h = await startLedgerHarness({ store });
    sites = {
      mfg: await openSite(h, { name: 'mfg', gln: gln('952123450000'), role: 'manufacturer', suffix }),
      dist: await openSite(h, { name: 'dist', gln: gln('952123450010'), role: 'distributor', suffix }),
      ph1: await openSite(h, { name: 'ph1', gln: gln('952123450020'), role: 'pharmacy', suffix }),
      ph2: await openSite(h, { name: 'ph2', gln: gln('952123450030'), role: 'pharmacy', suffix }),
    };
  });
  afterAll(async () => {
    for (const s of Object.values(sites ?? {})) await s.client.close();
    await h?.stop();
  });

  it('equals the live projection after a long mixed scenario', async () => {
    const { mfg, dist, ph1, ph2 } = sites;
    const rand = prng(20261123);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    // Rounds of events; in each round every site publishes its queue concurrently, so batches interleave.
    const rounds: Map<Site, object[]>[] = [];
    const put = (round: number, site: Site, event: object) => {
      while (rounds.length <= round) rounds.push(new Map());
      const r = rounds[round]!;
      r.set(site, [...(r.get(site) ?? []), event]);
    };
    let serialNo = 0;
    for (let g = 0; g < 64; g++) {
      const t = g * 100;
      const serials = Array.from({ length: 4 }, () => `MIX${++serialNo}`);
      const box = sscc(5000 + g);
      const pharmacy = pick([ph1, ph2]);
      const other = pharmacy === ph1 ? ph2 : ph1;
      const r0 = Math.floor(g / 2);
      const commissionLate = rand() < 0.1;
      put(commissionLate ? r0 + 2 : r0, mfg, events.commission(mfg, serials, at(t)));
      if (rand() < 0.05) put(r0 + 1, mfg, events.commission(mfg, [serials[0]!], at(t + 1), { lot: 'DUP' }));
      const packed = rand() < 0.6;
      if (packed) put(r0, mfg, events.pack(mfg, box, { serials }, at(t + 2)));
      const objects = packed ? { ssccs: [box] } : { serials };
      const ship = events.ship(mfg, objects, dist, at(t + 3));
      const shipLate = rand() < 0.15; // the distributor's receipt reaches the ledger before the shipment
      put(shipLate ? r0 + 2 : r0 + 1, mfg, ship);
      put(r0 + 1, dist, events.receive(dist, objects, mfg, at(t + 4)));
      if (packed && rand() < 0.5) {
        put(r0 + 2, dist, events.unpack(dist, box, at(t + 5)));
        put(r0 + 3, dist, events.ship(dist, { serials }, pharmacy, at(t + 6)));
        put(r0 + 3, pharmacy, events.receive(pharmacy, { serials }, dist, at(t + 7)));
      } else {
        const wrongShip = rand() < 0.1;
        const first = events.ship(dist, objects, wrongShip ? other : pharmacy, at(t + 6));
        put(r0 + 2, dist, first);
        if (wrongShip) {
          const fixed = events.ship(dist, objects, pharmacy, at(t + 6.5));
          put(r0 + 3, dist, fixed);
          put(r0 + 3, dist, errorDeclaration(first, at(t + 8), [fixed.eventID!]));
        }
        const wrongReceiver = rand() < 0.08;
        put(r0 + 4, wrongReceiver ? other : pharmacy, events.receive(wrongReceiver ? other : pharmacy, objects, dist, at(t + 7)));
      }
      put(r0 + 5, pharmacy, events.dispense(pharmacy, [serials[0]!], at(t + 9)));
      if (rand() < 0.1) put(r0 + 6, other, events.dispense(other, [serials[0]!], at(t + 10))); // a clone
      if (rand() < 0.05) put(r0 + 5, mfg, recallEvent(mfg, [serials[1]!], at(t + 8)));
      if (rand() < 0.05) put(r0 + 5, pharmacy, events.destroy(pharmacy, [serials[2]!], at(t + 9)));
      if (rand() < 0.05) {
        const finder = pick([dist, ph1]);
        put(r0 + 1, finder, events.receive(finder, { serials: [`GHOST${g}`] }, mfg, at(t + 4)));
      }
      if (packed && rand() < 0.1) put(r0, mfg, events.pack(mfg, sscc(6000 + g), { serials: [serials[3]!] }, at(t + 2.5))); // packed twice
    }
    let published = 0;
    for (const round of rounds) {
      await Promise.all([...round].map(([site, list]) => record(h, site, list)));
      published += [...round.values()].reduce((n, l) => n + l.length, 0);
    }
    await settle(h);
    expect(published).toBeGreaterThan(400);

    const live = await snapshot(h);
    expect(live.state.length).toBeGreaterThan(150);
    expect(new Set(live.alerts.map((a) => a.code)).size).toBeGreaterThanOrEqual(5);
    expect(live.alerts.some((a) => a.status === 'resolved')).toBe(true);

    const custody = createSqlCustodyStore(h.ledger.sql);
    const result = await rebuildCustodyState({ custody, store: h.ledger.store, chunk: 97 });
    expect(result.entries).toBe(await h.ledger.store.treeSize());
    const rebuilt = await snapshot(h);
    expect(rebuilt.facts).toEqual(live.facts);
    expect(rebuilt.alerts).toEqual(live.alerts);
    expect(rebuilt.steps).toEqual(live.steps);
    expect(rebuilt.state).toEqual(live.state);
    expect(rebuilt.through).toEqual(live.through);
    expect(result.alertsRaised).toBe(0);
    expect(result.alertsResolved).toBe(0);
  });

  it.runIf(store === 'postgres')('runs as `npm run pedigree -- rebuild-state` against the same database', async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'rebuild-state'], {
      env: { ...process.env, PEDIGREE_DATABASE_URL: h.config.databaseUrl!, PEDIGREE_DATA_DIR: h.dataDir },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^OK: \d+ entries replayed, 0 alerts new, 0 no longer raised and resolved/);
  });
});
