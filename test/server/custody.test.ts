// Custody rules end to end over MQTT with signed envelopes (DESIGN.md §§6–7): unit state and aggregation, one test per
// alert code (the code, the sites told on their signed alerts topic, the verification answer), late events that
// explain an alert, retraction, acknowledging and resolving, verification with pedigree and inclusion proof.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64 } from '../../schemas/signing/encoding.js';
import { leafHash, verifyInclusion } from '../../schemas/signing/merkle.js';
import { openCheckpoint } from '../../schemas/signing/checkpoint.js';
import { noteVerifierFromVkey } from '../../schemas/signing/signed-note.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { createSqlCustodyStore } from '../../server/adapters/db/custody-store.js';
import { planInclusionProof } from '../../server/log/plan-inclusion-proof.js';
import { nodeKey } from '../../server/log/tree-nodes.js';
import {
  GTIN,
  at,
  errorDeclaration,
  events,
  expectSiteAlert,
  gln,
  openSite,
  recallEvent,
  record,
  reseal,
  sscc,
  unit,
  type Site,
} from '../harness/custody-sites.js';

const stores = process.env.PEDIGREE_TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
const suffix = Math.random().toString(36).slice(2, 8);

describe.each(stores)('custody rules on %s', (store) => {
  let h: LedgerHarness;
  let mfg: Site;
  let dist: Site;
  let ph1: Site;
  let ph2: Site;

  beforeAll(async () => {
    h = await startLedgerHarness({ store });
    mfg = await openSite(h, { name: 'mfg', gln: gln('952123450000'), role: 'manufacturer', suffix });
    dist = await openSite(h, { name: 'dist', gln: gln('952123450010'), role: 'distributor', suffix });
    ph1 = await openSite(h, { name: 'ph1', gln: gln('952123450020'), role: 'pharmacy', suffix });
    ph2 = await openSite(h, { name: 'ph2', gln: gln('952123450030'), role: 'pharmacy', suffix });
  });
  afterAll(async () => {
    for (const s of [mfg, dist, ph1, ph2]) await s?.client.close();
    await h?.stop();
  });

  const verify = (serial: string, query = '', token = ph1.token) => h.api('GET', `/v1/verify/01/${GTIN}/21/${encodeURIComponent(serial)}${query}`, undefined, token);
  const alertsOf = async (code: string, serial: string) =>
    (await h.api('GET', `/v1/alerts?code=${code}&gtin=${GTIN}`)).body.alerts.filter((a: { serial: string }) => a.serial === serial);

  /** Commissioned at the manufacturer, shipped to `to` and received there. */
  async function stocked(serials: string[], to: Site, t0: number): Promise<void> {
    await record(h, mfg, [events.commission(mfg, serials, at(t0))]);
    await record(h, mfg, [events.ship(mfg, { serials }, to, at(t0 + 1))]);
    await record(h, to, [events.receive(to, { serials }, mfg, at(t0 + 2))]);
  }

  describe('when a manufacturer commissions and packs, a distributor receives and ships, two pharmacies receive and dispense', () => {
    const serials = ['N1', 'N2', 'N3', 'N4'];
    const [case1, case2, pallet] = [sscc(101), sscc(102), sscc(103)];
    let indexes: number[] = [];

    beforeAll(async () => {
      indexes.push(...(await record(h, mfg, [events.commission(mfg, serials, at(0), { lot: 'L7', expiry: '2028-06-30' })])));
      indexes.push(...(await record(h, mfg, [events.pack(mfg, case1, { serials: ['N1', 'N2'] }, at(1)), events.pack(mfg, case2, { serials: ['N3', 'N4'] }, at(2))])));
      indexes.push(...(await record(h, mfg, [events.pack(mfg, pallet, { ssccs: [case1, case2] }, at(3))])));
      indexes.push(...(await record(h, mfg, [events.ship(mfg, { ssccs: [pallet] }, dist, at(4))])));
      indexes.push(...(await record(h, dist, [events.receive(dist, { ssccs: [pallet] }, mfg, at(5))])));
      indexes.push(...(await record(h, dist, [events.unpack(dist, pallet, at(6))])));
      indexes.push(...(await record(h, dist, [events.ship(dist, { ssccs: [case1] }, ph1, at(7)), events.ship(dist, { ssccs: [case2] }, ph2, at(8))])));
      indexes.push(...(await record(h, ph1, [events.receive(ph1, { ssccs: [case1] }, dist, at(9))])));
      indexes.push(...(await record(h, ph2, [events.receive(ph2, { ssccs: [case2] }, dist, at(10))])));
      indexes.push(...(await record(h, ph1, [events.dispense(ph1, ['N1'], at(11))])));
      indexes.push(...(await record(h, ph2, [events.dispense(ph2, ['N3'], at(12))])));
    });

    it('moves every pack with its pallet and cases, and leaves dispensed packs dispensed', async () => {
      const n2 = await h.api('GET', `/v1/units/01/${GTIN}/21/N2`, undefined, ph1.token);
      expect(n2.status).toBe(200);
      expect(n2.body.unit).toMatchObject({ state: 'active', custodian: ph1.gln, container: `https://id.gs1.org/00/${case1}`, lot: 'L7', expiry: '2028-06-30', owner: mfg.gln });
      const n4 = await h.api('GET', `/v1/units/01/${GTIN}/21/N4`, undefined, ph2.token);
      expect(n4.body.unit).toMatchObject({ state: 'active', custodian: ph2.gln });
      const n1 = await h.api('GET', `/v1/units/01/${GTIN}/21/N1`, undefined, ph1.token);
      expect(n1.body.unit).toMatchObject({ state: 'dispensed', custodian: ph1.gln, container: null });
      const c1 = await h.api('GET', `/v1/containers/00/${case1}`, undefined, ph1.token);
      expect(c1.status).toBe(200);
      expect(c1.body).toMatchObject({ state: 'active', custodian: ph1.gln });
      expect(c1.body.contents.map((u: { serial: string }) => u.serial)).toEqual(['N2']);
      const p = await h.api('GET', `/v1/containers/00/${pallet}`, undefined, dist.token);
      expect(p.body).toMatchObject({ custodian: dist.gln, contents: [] });
      const alerts = await h.api('GET', `/v1/alerts?gtin=${GTIN}`);
      expect(alerts.body.alerts.filter((a: { serial: string }) => serials.includes(a.serial))).toEqual([]);
    });

    it('lists a pallet with its cases and packs, recursively, while packed', async () => {
      const pallet2 = sscc(104);
      const case3 = sscc(105);
      await record(h, mfg, [events.commission(mfg, ['N5', 'N6'], at(20))]);
      await record(h, mfg, [events.pack(mfg, case3, { serials: ['N5', 'N6'] }, at(21))]);
      await record(h, mfg, [events.pack(mfg, pallet2, { ssccs: [case3] }, at(22))]);
      const tree = await h.api('GET', `/v1/containers/00/${pallet2}`, undefined, mfg.token);
      expect(tree.body.contents).toHaveLength(1);
      expect(tree.body.contents[0]).toMatchObject({ sscc: case3 });
      expect(tree.body.contents[0].contents.map((u: { serial: string }) => u.serial)).toEqual(['N5', 'N6']);
    });

    it('verifies a pack with its pedigree in order and an inclusion proof that checks with the schemas/ verifier', async () => {
      const v = await verify('N2', '?lot=L7&exp=280630&corrUUID=2f1e8b4a-0c4d-4a0b-9e0e-5b1d7c3a9f10');
      expect(v.status).toBe(200);
      expect(v.body).toMatchObject({
        responderGLN: mfg.gln,
        corrUUID: '2f1e8b4a-0c4d-4a0b-9e0e-5b1d7c3a9f10',
        data: { verified: true },
      });
      expect(v.body.data.additionalInfo).toBeUndefined();
      expect(v.body.pedigree.map((s: { bizStep: string; party: string }) => [s.bizStep, s.party])).toEqual([
        ['commissioning', mfg.gln],
        ['packing', mfg.gln],
        ['shipping', mfg.gln],
        ['receiving', dist.gln],
        ['shipping', dist.gln],
        ['receiving', ph1.gln],
      ]);
      const times = v.body.pedigree.map((s: { eventTime: string }) => s.eventTime);
      expect([...times].sort()).toEqual(times);
      expect(v.body.pedigree[2]).toMatchObject({ via: `https://id.gs1.org/00/${pallet}`, partyName: 'mfg' });
      expect(v.body.alerts).toEqual([]);

      const proof = v.body.proof;
      expect(proof.index).toBe(v.body.pedigree.at(-1).index);
      const vkey = await h.api('GET', '/v1/verifier-key', undefined, '');
      const verifier = noteVerifierFromVkey(vkey.text.trim());
      if (!verifier.ok) throw new Error(verifier.message);
      const opened = openCheckpoint(proof.checkpoint, { logVerifier: verifier.value, origin: h.config.logOrigin });
      if (!opened.ok) throw new Error(opened.message);
      expect(opened.value.checkpoint.size).toBe(proof.size);
      const bytes = decodeBase64(proof.entry)!;
      const checked = verifyInclusion({
        index: proof.index,
        size: proof.size,
        leafHash: leafHash(bytes),
        proof: proof.hashes.map((b: string) => decodeBase64(b)!),
        root: opened.value.checkpoint.rootHash,
      });
      expect(checked.ok ? true : checked).toBe(true);
      expect(JSON.parse(new TextDecoder().decode(bytes)).event.epcList).toEqual([`https://id.gs1.org/00/${case1}`]);
      // Every pack's proof checks, whatever its leaf's place in the tree (the proof nodes are read with the view).
      for (const serial of ['N1', 'N2', 'N3', 'N4', 'N5', 'N6']) {
        const other = (await verify(serial)).body.proof;
        expect(other.size).toBe(proof.size);
        const ok = verifyInclusion({
          index: other.index,
          size: other.size,
          leafHash: leafHash(decodeBase64(other.entry)!),
          proof: other.hashes.map((b: string) => decodeBase64(b)!),
          root: opened.value.checkpoint.rootHash,
        });
        expect(ok.ok ? serial : ok).toBe(serial);
      }
    });

    it('holds every node of the log in memory, those appended since the start included (/metrics)', async () => {
      const size = await h.ledger.store.treeSize();
      const text = await fetch(`${h.ledger.httpUrl}/metrics`).then((r) => r.text());
      const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      expect(gauge('pedigree_proof_cache_loaded')).toBe(1);
      expect(gauge('pedigree_proof_cache_lowest_level')).toBe(0);
      // A tree of n leaves stores 2n - popcount(n) nodes (tree-nodes.ts); the log was empty when the ledger started.
      const popcount = [...size.toString(2)].filter((b) => b === '1').length;
      expect(size).toBeGreaterThan(10);
      expect(gauge('pedigree_proof_cache_nodes')).toBe(2 * size - popcount);
    });

    it.each([8, 4])('reads with the unit view the latest entry’s leaf and only nodes its proof plan names, at any size (%i levels)', async (low) => {
      const custody = createSqlCustodyStore(h.ledger.sql, { proofLevelsRead: () => low });
      const size = await h.ledger.store.treeSize();
      for (const serial of ['N2', 'N5']) {
        const latest = (await custody.unitView(unit(serial)))!.steps.at(-1)!.step.index;
        for (let n = latest + 1; n <= size; n++) {
          const view = await custody.unitView(unit(serial), n);
          const plan = planInclusionProof(latest, n);
          if (!plan.ok) throw new Error(plan.message);
          const planned = new Set([...plan.value.keys, { level: 0, index: latest }].map(nodeKey));
          const read = [...view!.proofNodes.keys()];
          expect(read, `${serial} at size ${n}`).toContain(nodeKey({ level: 0, index: latest }));
          for (const id of read) expect(planned.has(id), `${serial} at size ${n}: ${id}`).toBe(true);
          // Until the leaf's block of 2^low leaves is complete, the rest of the proof comes from the node cache or the store.
          if (((latest >> low) + 1) << low > n) expect(read).toEqual([nodeKey({ level: 0, index: latest })]);
          else expect(read).toHaveLength(low + 1);
        }
      }
    });

    it('accepts a raw scanner string and answers a lot that differs with No_match_GTIN_Serial_Lot', async () => {
      const raw = `]d201${GTIN}17280630\u001d10L7\u001d21N4`;
      const ok = await h.api('GET', `/v1/verify?scan=${encodeURIComponent(raw)}`, undefined, ph2.token);
      expect(ok.status).toBe(200);
      expect(ok.body.data).toEqual({ verified: true });
      const dl = `https://id.gs1.org/01/${GTIN}/10/L8/21/N4`;
      const wrong = await h.api('GET', `/v1/verify?scan=${encodeURIComponent(dl)}`, undefined, ph2.token);
      expect(wrong.body.data).toMatchObject({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' });
    });

    it('refuses a malformed scan with 400, the parser code and position', async () => {
      const bad = await h.api('GET', `/v1/verify?scan=${encodeURIComponent(`]d20109506000134353\u001d21X1`)}`, undefined, ph1.token);
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(bad.body).toMatchObject({ code: 'INCORRECT_CHECK_DIGIT', position: expect.any(Number) });
      const garbage = await h.api('GET', `/v1/verify?scan=${encodeURIComponent('hello')}`, undefined, ph1.token);
      expect(garbage.status).toBe(400);
      expect(garbage.body.code).toBe('NOT_GS1');
      const path = await h.api('GET', '/v1/verify/01/123/21/X', undefined, ph1.token);
      expect(path.status).toBe(400);
      const exp = await h.api('GET', `/v1/verify/01/${GTIN}/21/N4?exp=281399`, undefined, ph1.token);
      expect(exp.status).toBe(400);
      expect(exp.body.code).toBe('INVALID_DATE');
    });

    it('answers only to a valid token', async () => {
      expect((await h.api('GET', `/v1/verify/01/${GTIN}/21/N2`, undefined, '')).status).toBe(401);
      expect((await h.api('GET', `/v1/units/01/${GTIN}/21/N2`, undefined, 'not-a-valid-token-xxxxxxxx')).status).toBe(401);
      expect((await h.api('GET', '/v1/alerts', undefined, '')).status).toBe(401);
      expect((await h.api('GET', `/v1/units/01/${GTIN}/21/NOPE`)).status).toBe(404);
    });
  });

  describe('when a custody event names a serial never commissioned', () => {
    it('raises UNKNOWN_SERIAL, tells the site, still appends the entry and answers No_match_GTIN_Serial', async () => {
      const [idx] = await record(h, ph1, [events.receive(ph1, { serials: ['U-GHOST'] }, dist, at(100))]);
      const [a] = await alertsOf('UNKNOWN_SERIAL', 'U-GHOST');
      expect(a).toMatchObject({ severity: 'critical', status: 'open', sites: [ph1.gln], triggerIndex: idx, evidence: [idx] });
      await expectSiteAlert(ph1, (b) => b.code === 'UNKNOWN_SERIAL' && b.epc === unit('U-GHOST'));
      expect((await h.api('GET', `/v1/entries/${idx}`)).status).toBe(200);
      const v = await verify('U-GHOST');
      expect(v.body.data).toEqual({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial' });
      expect(v.body.pedigree.map((s: { alerts: string[] }) => s.alerts)).toEqual([['UNKNOWN_SERIAL']]);
    });

    it('raises UNKNOWN_SERIAL when a valid-looking GTIN and unknown serial are only verified, telling the verifying site', async () => {
      const v = await verify('NEVER-SEEN', '', ph2.token);
      expect(v.body.data).toEqual({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial' });
      await expectSiteAlert(ph2, (b) => b.code === 'UNKNOWN_SERIAL' && b.epc === unit('NEVER-SEEN'));
      const other = await h.api('GET', '/v1/verify/01/00614141000036/21/X1', undefined, ph2.token);
      expect(other.body.data).toEqual({ verified: false, verificationFailureReason: 'No_match_GTIN' });
    });
  });

  describe('when a serial is commissioned twice', () => {
    it('raises DUPLICATE_COMMISSION citing both entries, tells the manufacturer, and answers Suspect', async () => {
      const [first] = await record(h, mfg, [events.commission(mfg, ['D1'], at(200))]);
      const [second] = await record(h, mfg, [events.commission(mfg, ['D1'], at(201), { lot: 'LOT2' })]);
      const [a] = await alertsOf('DUPLICATE_COMMISSION', 'D1');
      expect(a).toMatchObject({ evidence: [first, second], sites: [mfg.gln], triggerIndex: second });
      await expectSiteAlert(mfg, (b) => b.code === 'DUPLICATE_COMMISSION' && b.serial === 'D1');
      const v = await verify('D1');
      expect(v.body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });
      expect(v.body.unit.lot).toBe('LOT1');
    });
  });

  describe('when a pack dispensed at one pharmacy is dispensed again at another (a clone)', () => {
    it('raises ALREADY_INACTIVE, tells both pharmacies, and answers Suspect', async () => {
      await stocked(['C1'], ph1, 300);
      const [dispensed] = await record(h, ph1, [events.dispense(ph1, ['C1'], at(304))]);
      const [clone] = await record(h, ph2, [events.dispense(ph2, ['C1'], at(305))]);
      const [a] = await alertsOf('ALREADY_INACTIVE', 'C1');
      expect(a).toMatchObject({ evidence: [dispensed, clone], sites: [ph1.gln, ph2.gln].sort() });
      await expectSiteAlert(ph1, (b) => b.code === 'ALREADY_INACTIVE' && b.serial === 'C1');
      await expectSiteAlert(ph2, (b) => b.code === 'ALREADY_INACTIVE' && b.serial === 'C1');
      const v = await verify('C1', '', ph2.token);
      expect(v.body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });
      expect(v.body.unit).toMatchObject({ state: 'dispensed', custodian: ph1.gln });
    });
  });

  describe('when the same serial is received at two sites with no shipment between them', () => {
    it('raises LOCATION_CONFLICT, tells both sites, and answers Suspect', async () => {
      await stocked(['L1'], ph1, 400);
      const [second] = await record(h, ph2, [events.receive(ph2, { serials: ['L1'] }, dist, at(404))]);
      const [a] = await alertsOf('LOCATION_CONFLICT', 'L1');
      expect(a).toMatchObject({ triggerIndex: second, sites: [ph1.gln, ph2.gln].sort(), severity: 'high' });
      await expectSiteAlert(ph1, (b) => b.code === 'LOCATION_CONFLICT' && b.serial === 'L1');
      await expectSiteAlert(ph2, (b) => b.code === 'LOCATION_CONFLICT' && b.serial === 'L1');
      expect((await verify('L1')).body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });
    });
  });

  describe('when a party that was not the shipment destination receives it', () => {
    it('raises CUSTODY_MISMATCH citing the shipment, tells shipper, destination and receiver, and answers Suspect', async () => {
      const [commissioned] = await record(h, mfg, [events.commission(mfg, ['M1'], at(500))]);
      const [shipped] = await record(h, mfg, [events.ship(mfg, { serials: ['M1'] }, ph1, at(501))]);
      const [received] = await record(h, ph2, [events.receive(ph2, { serials: ['M1'] }, mfg, at(502))]);
      expect(commissioned).toBeLessThan(shipped!);
      const [a] = await alertsOf('CUSTODY_MISMATCH', 'M1');
      expect(a).toMatchObject({ evidence: [shipped, received], sites: [mfg.gln, ph1.gln, ph2.gln].sort() });
      for (const s of [mfg, ph1, ph2]) await expectSiteAlert(s, (b) => b.code === 'CUSTODY_MISMATCH' && b.serial === 'M1');
      expect((await verify('M1', '', ph2.token)).body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });
    });
  });

  describe('when a scanned lot or expiry differs from commissioning', () => {
    it('raises LOT_MISMATCH for a scan carrying another lot, and verification answers No_match_GTIN_Serial_Lot', async () => {
      await stocked(['T1'], ph1, 600);
      const scanned = reseal({ ...events.dispense(ph1, ['T1'], at(604)), epcList: [`https://id.gs1.org/01/${GTIN}/10/FAKE/21/T1`] });
      const [idx] = await record(h, ph1, [scanned]);
      const [a] = await alertsOf('LOT_MISMATCH', 'T1');
      expect(a).toMatchObject({ triggerIndex: idx, sites: [mfg.gln, ph1.gln].sort() });
      await expectSiteAlert(ph1, (b) => b.code === 'LOT_MISMATCH' && b.serial === 'T1');
      await expectSiteAlert(mfg, (b) => b.code === 'LOT_MISMATCH' && b.serial === 'T1');
      const v = await verify('T1', '?lot=FAKE');
      expect(v.body.data).toMatchObject({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' });
    });

    it('raises EXPIRY_MISMATCH for a scan carrying another expiry, and verification answers No_match_GTIN_Serial_Expiry', async () => {
      await stocked(['T2'], ph1, 610);
      const scanned = reseal({ ...events.dispense(ph1, ['T2'], at(614)), epcList: [`https://id.gs1.org/01/${GTIN}/21/T2?17=290131`] });
      await record(h, ph1, [scanned]);
      const [a] = await alertsOf('EXPIRY_MISMATCH', 'T2');
      expect(a).toMatchObject({ sites: [mfg.gln, ph1.gln].sort() });
      await expectSiteAlert(ph1, (b) => b.code === 'EXPIRY_MISMATCH' && b.serial === 'T2');
      const v = await verify('T2', '?exp=290131');
      expect(v.body.data).toMatchObject({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Expiry' });
      const both = await verify('T2', '?exp=290131&lot=X');
      expect(both.body.data.verificationFailureReason).toBe('No_match_GTIN_Serial_Lot_Expiry');
    });
  });

  describe('when a unit is packed into a second case without unpacking', () => {
    it('raises AGGREGATION_CONFLICT, tells the packer, and the unit is in the second case only', async () => {
      const [a1, a2] = [sscc(701), sscc(702)];
      await record(h, mfg, [events.commission(mfg, ['A1'], at(700))]);
      const [first] = await record(h, mfg, [events.pack(mfg, a1, { serials: ['A1'] }, at(701))]);
      const [second] = await record(h, mfg, [events.pack(mfg, a2, { serials: ['A1'] }, at(702))]);
      const [a] = await alertsOf('AGGREGATION_CONFLICT', 'A1');
      expect(a).toMatchObject({ evidence: [first, second], sites: [mfg.gln], severity: 'medium' });
      await expectSiteAlert(mfg, (b) => b.code === 'AGGREGATION_CONFLICT' && b.serial === 'A1');
      expect((await h.api('GET', `/v1/containers/00/${a1}`, undefined, mfg.token)).body.contents).toEqual([]);
      expect((await h.api('GET', `/v1/containers/00/${a2}`, undefined, mfg.token)).body.contents.map((u: { serial: string }) => u.serial)).toEqual(['A1']);
      expect((await verify('A1')).body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });
    });
  });

  describe('when a recalled unit is shipped or dispensed', () => {
    it('raises RECALLED_UNIT_MOVED for each move, tells the sites, and answers Recalled', async () => {
      await record(h, mfg, [events.commission(mfg, ['R1'], at(800))]);
      const [recalled] = await record(h, mfg, [recallEvent(mfg, ['R1'], at(801))]);
      const [shipped] = await record(h, mfg, [events.ship(mfg, { serials: ['R1'] }, ph1, at(802))]);
      await record(h, ph1, [events.receive(ph1, { serials: ['R1'] }, mfg, at(803))]);
      await record(h, ph1, [events.dispense(ph1, ['R1'], at(804))]);
      const found = await alertsOf('RECALLED_UNIT_MOVED', 'R1');
      expect(found).toHaveLength(3);
      expect(found.at(-1)).toMatchObject({ evidence: [recalled, shipped], sites: [mfg.gln, ph1.gln].sort() });
      await expectSiteAlert(ph1, (b) => b.code === 'RECALLED_UNIT_MOVED' && b.serial === 'R1');
      const v = await verify('R1');
      expect(v.body.data).toEqual({ verified: true, additionalInfo: 'Recalled' });
      expect(v.body.unit.recalled).toBe(true);
    });
  });

  describe('when an expired unit is dispensed', () => {
    it('raises EXPIRED_UNIT_DISPENSED, tells the pharmacy and the manufacturer', async () => {
      await record(h, mfg, [events.commission(mfg, ['E1'], at(900), { expiry: '2026-09-30' })]);
      await record(h, mfg, [events.ship(mfg, { serials: ['E1'] }, ph1, at(901))]);
      await record(h, ph1, [events.receive(ph1, { serials: ['E1'] }, mfg, at(902))]);
      const [idx] = await record(h, ph1, [events.dispense(ph1, ['E1'], at(903))]);
      const [a] = await alertsOf('EXPIRED_UNIT_DISPENSED', 'E1');
      expect(a).toMatchObject({ triggerIndex: idx, sites: [mfg.gln, ph1.gln].sort() });
      await expectSiteAlert(ph1, (b) => b.code === 'EXPIRED_UNIT_DISPENSED' && b.serial === 'E1');
      const v = await verify('E1');
      expect(v.body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });
      expect(v.body.pedigree.at(-1)).toMatchObject({ bizStep: 'dispensing', alerts: ['EXPIRED_UNIT_DISPENSED'] });
    });

    it('answers Expired for an expired pack still in stock', async () => {
      await stocked(['E2'], ph1, 910);
      await record(h, mfg, [events.commission(mfg, ['E3'], at(913), { expiry: '2020-01-31' })]);
      expect((await verify('E3')).body.data).toEqual({ verified: true, additionalInfo: 'Expired' });
    });
  });

  describe('when events arrive late', () => {
    it('resolves the alert a receipt raised once its earlier shipment is ingested, citing both entries', async () => {
      await record(h, mfg, [events.commission(mfg, ['LATE1'], at(1000))]);
      const [received] = await record(h, ph1, [events.receive(ph1, { serials: ['LATE1'] }, mfg, at(1002))]);
      const [raised] = await alertsOf('LOCATION_CONFLICT', 'LATE1');
      expect(raised).toMatchObject({ status: 'open', triggerIndex: received });
      expect((await verify('LATE1')).body.data.additionalInfo).toBe('Suspect');
      const [shipped] = await record(h, mfg, [events.ship(mfg, { serials: ['LATE1'] }, ph1, at(1001))]);
      const [after] = await alertsOf('LOCATION_CONFLICT', 'LATE1');
      expect(after).toMatchObject({ status: 'resolved' });
      expect(after.resolvedBy).toEqual(expect.arrayContaining([received, shipped]));
      const detail = await h.api('GET', `/v1/alerts/${after.id}`);
      expect(detail.body.actions).toMatchObject([{ action: 'auto_resolve', entries: expect.arrayContaining([received, shipped]) }]);
      await expectSiteAlert(ph1, (b) => b.code === 'LOCATION_CONFLICT' && b.serial === 'LATE1' && b.status === 'resolved');
      const v = await verify('LATE1');
      expect(v.body.data).toEqual({ verified: true });
      expect(v.body.pedigree.map((s: { bizStep: string }) => s.bizStep)).toEqual(['commissioning', 'shipping', 'receiving']);
      expect(v.body.unit).toMatchObject({ state: 'active', custodian: ph1.gln });
    });

    it('resolves UNKNOWN_SERIAL when the commissioning arrives after the shipment', async () => {
      await record(h, mfg, [events.ship(mfg, { serials: ['LATE2'] }, dist, at(1011))]);
      expect((await alertsOf('UNKNOWN_SERIAL', 'LATE2'))[0]).toMatchObject({ status: 'open' });
      await record(h, mfg, [events.commission(mfg, ['LATE2'], at(1010))]);
      expect((await alertsOf('UNKNOWN_SERIAL', 'LATE2'))[0]).toMatchObject({ status: 'resolved' });
      expect((await h.api('GET', `/v1/units/01/${GTIN}/21/LATE2`)).body.unit).toMatchObject({
        state: 'in_transit',
        destination: { party: dist.gln },
      });
    });

    it('gives a late-packed unit the steps its case took after the packing', async () => {
      const c = sscc(1020);
      await record(h, mfg, [events.commission(mfg, ['LATE3'], at(1020))]);
      await record(h, mfg, [events.pack(mfg, c, { serials: ['LATE4'] }, at(1021))]);
      await record(h, mfg, [events.commission(mfg, ['LATE4'], at(1020))]);
      await record(h, mfg, [events.ship(mfg, { ssccs: [c] }, dist, at(1023))]);
      await record(h, dist, [events.receive(dist, { ssccs: [c] }, mfg, at(1024))]);
      // The packing of LATE3 into the case at 1022 reaches the ledger after the case was shipped and received.
      await record(h, mfg, [events.pack(mfg, c, { serials: ['LATE3'] }, at(1022))]);
      const u = await h.api('GET', `/v1/units/01/${GTIN}/21/LATE3`, undefined, dist.token);
      expect(u.body.unit).toMatchObject({ state: 'active', custodian: dist.gln, container: `https://id.gs1.org/00/${c}` });
      expect(u.body.alerts).toEqual([]);
    });
  });

  describe('when an event is declared erroneous', () => {
    it('retracts it: the shipment to the wrong pharmacy no longer counts, and the alert it caused is resolved', async () => {
      await record(h, mfg, [events.commission(mfg, ['X1'], at(1100))]);
      const wrong = events.ship(mfg, { serials: ['X1'] }, ph1, at(1101));
      const [wrongIdx] = await record(h, mfg, [wrong]);
      await record(h, ph2, [events.receive(ph2, { serials: ['X1'] }, mfg, at(1104))]);
      expect((await alertsOf('CUSTODY_MISMATCH', 'X1'))[0]).toMatchObject({ status: 'open' });
      const right = events.ship(mfg, { serials: ['X1'] }, ph2, at(1102));
      const [rightIdx, declared] = await record(h, mfg, [right, errorDeclaration(wrong, at(1105), [right.eventID!])]);
      expect(wrongIdx).toBeLessThan(rightIdx!);
      const [after] = await alertsOf('CUSTODY_MISMATCH', 'X1');
      expect(after).toMatchObject({ status: 'resolved' });
      expect(after.resolvedBy).toEqual(expect.arrayContaining([rightIdx]));
      const v = await verify('X1', '', ph2.token);
      expect(v.body.data).toEqual({ verified: true });
      const steps = v.body.pedigree.map((s: Record<string, unknown>) => [s.index, s.bizStep, s.destinationParty, s.retractedBy, s.corrects]);
      expect(steps.slice(1)).toEqual([
        [wrongIdx, 'shipping', ph1.gln, declared, null],
        [declared, 'shipping', ph1.gln, null, wrongIdx],
        [rightIdx, 'shipping', ph2.gln, null, null],
        [expect.any(Number), 'receiving', ph2.gln, null, null],
      ]);
      expect(v.body.unit).toMatchObject({ custodian: ph2.gln, state: 'active' });
    });
  });

  describe('when a site acts on an alert', () => {
    it('lets a party the alert concerns acknowledge it and an admin resolve it, recording each note', async () => {
      const [a] = await alertsOf('LOCATION_CONFLICT', 'L1');
      const forbidden = await h.api('POST', `/v1/alerts/${a.id}/acknowledge`, { note: 'not ours' }, mfg.token);
      expect(forbidden.status).toBe(403);
      const noNote = await h.api('POST', `/v1/alerts/${a.id}/acknowledge`, {}, ph2.token);
      expect(noNote.status).toBe(400);
      const ack = await h.api('POST', `/v1/alerts/${a.id}/acknowledge`, { note: 'pack quarantined at the counter' }, ph2.token);
      expect(ack.status).toBe(200);
      expect(ack.body.status).toBe('acknowledged');
      const resolved = await h.api('POST', `/v1/alerts/${a.id}/resolve`, { note: 'relabelled duplicate, destroyed' });
      expect(resolved.body.status).toBe('resolved');
      expect(resolved.body.actions).toMatchObject([
        { action: 'acknowledge', note: 'pack quarantined at the counter', actorParty: ph2.gln, actorRole: 'pharmacy' },
        { action: 'resolve', note: 'relabelled duplicate, destroyed', actorRole: 'admin' },
      ]);
      expect((await h.api('POST', `/v1/alerts/${a.id}/resolve`, { note: 'again' })).status).toBe(409);
      await expectSiteAlert(ph1, (b) => b.id === a.id && b.status === 'resolved');
    });

    it('filters alerts by code, GTIN, site and time', async () => {
      const bySite = await h.api('GET', `/v1/alerts?site=${ph2.gln}`, undefined, ph2.token);
      expect(bySite.body.alerts.length).toBeGreaterThan(0);
      expect(bySite.body.alerts.every((a: { sites: string[] }) => a.sites.includes(ph2.gln))).toBe(true);
      const future = await h.api('GET', `/v1/alerts?since=2999-01-01&site=${ph2.gln}`, undefined, ph2.token);
      expect(future.body.alerts).toEqual([]);
      expect((await h.api('GET', '/v1/alerts?code=NOPE')).status).toBe(400);
      expect((await h.api('GET', '/v1/alerts?site=123')).status).toBe(400);
      // Valid ISO 8601 dates that no timestamptz holds: a clear 400, not a failed statement.
      for (const since of ['0000-01-01', '9999-12-31T23:00:00-14:00']) {
        const r = await h.api('GET', `/v1/alerts?since=${encodeURIComponent(since)}`);
        expect([r.status, r.body.code]).toEqual([400, 'BAD_REQUEST']);
      }
    });

    it('never published an alert the sites could not verify', () => {
      for (const s of [mfg, dist, ph1, ph2]) expect(s.forged).toEqual([]);
    });
  });
});
