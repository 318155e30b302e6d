// Recalls end to end (DESIGN.md §8; issue 6): issuing marks every unit of the lot recalled (and those commissioned
// later), the notice is retained and ledger-signed on pedigree/v1/recalls/{id}, the sites holding units are alerted,
// verification says Recalled, dispensing raises RECALLED_UNIT_MOVED, the report (JSON and CSV) says where every unit
// is, sites acknowledge, and the recall closes once every unit is accounted for (or by a regulator's override).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLedgerMessage, verifyLedgerMessage } from '../../schemas/signing/ledger-message.js';
import { ed25519NoteVerifier } from '../../schemas/signing/signed-note.js';
import { topics } from '../../schemas/topics.js';
import { auditLog } from '../../server/domain/audit-log.js';
import { createSqlCustodyStore } from '../../server/adapters/db/custody-store.js';
import { createSqlRecallStore } from '../../server/adapters/db/recall-store.js';
import { rebuildCustodyState } from '../../server/domain/rebuild-custody-state.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { GTIN, at, events, expectSiteAlert, gln, openSite, record, type Site } from '../harness/custody-sites.js';

const stores = process.env.PEDIGREE_TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
const suffix = Math.random().toString(36).slice(2, 8);

describe.each(stores)('recalls on %s', (store) => {
  let h: LedgerHarness;
  let mfg: Site;
  let dist: Site;
  let ph1: Site;
  let regulatorToken: string;
  let otherMfgToken: string;
  const REGULATOR = gln('952123450090');
  const OTHER_MFG = gln('952123450080');

  async function token(party: string, role: string, name: string): Promise<string> {
    expect((await h.api('POST', '/v1/parties', { gln: party, name, role })).status).toBe(201);
    const t = await h.api('POST', '/v1/tokens', { party, role });
    expect(t.status).toBe(201);
    return t.body.token;
  }

  beforeAll(async () => {
    h = await startLedgerHarness({ store });
    mfg = await openSite(h, { name: 'mfg', gln: gln('952123450000'), role: 'manufacturer', suffix });
    dist = await openSite(h, { name: 'dist', gln: gln('952123450010'), role: 'distributor', suffix });
    ph1 = await openSite(h, { name: 'ph1', gln: gln('952123450020'), role: 'pharmacy', suffix });
    expect((await h.api('POST', `/v1/parties/${mfg.gln}/company-prefixes`, { prefix: '9506000' })).status).toBe(201);
    regulatorToken = await token(REGULATOR, 'regulator', 'Regulator');
    otherMfgToken = await token(OTHER_MFG, 'manufacturer', 'Other manufacturer');
    expect((await h.api('POST', `/v1/parties/${OTHER_MFG}/company-prefixes`, { prefix: '9506001' })).status).toBe(201);

    // Lot RL1: A1, A2 in stock at ph1; A3 in transit to dist; A4 dispensed before the recall; A5 at the manufacturer.
    // B1 is of another lot.
    await record(h, mfg, [events.commission(mfg, ['A1', 'A2', 'A3', 'A4', 'A5'], at(0), { lot: 'RL1' })]);
    await record(h, mfg, [events.commission(mfg, ['B1'], at(0), { lot: 'OK2' })]);
    await record(h, mfg, [events.ship(mfg, { serials: ['A1', 'A2', 'A4'] }, ph1, at(1))]);
    await record(h, ph1, [events.receive(ph1, { serials: ['A1', 'A2', 'A4'] }, mfg, at(2))]);
    await record(h, ph1, [events.dispense(ph1, ['A4'], at(3))]);
    await record(h, mfg, [events.ship(mfg, { serials: ['A3'] }, dist, at(4))]);
  });
  afterAll(async () => {
    for (const s of [mfg, dist, ph1]) await s?.client.close();
    await h?.stop();
  });

  const lotRecall = { scope: { gtin: GTIN, lots: ['RL1'] }, class: 'I', reason: 'particulate matter in vials', instructions: 'quarantine and return to the manufacturer' };

  describe('who may issue a recall', () => {
    it('refuses a pharmacy with 403 FORBIDDEN', async () => {
      const r = await h.api('POST', '/v1/recalls', lotRecall, ph1.token);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
    });
    it('refuses a manufacturer recalling a GTIN outside its company prefixes', async () => {
      const r = await h.api('POST', '/v1/recalls', lotRecall, otherMfgToken);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
    });
    it('refuses an invalid scope with 400 VALIDATION_FAILED', async () => {
      const r = await h.api('POST', '/v1/recalls', { ...lotRecall, scope: { gtin: GTIN, lots: ['RL1'], serials: ['A1'] } }, mfg.token);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect((await h.api('POST', '/v1/recalls', { ...lotRecall, class: 'IV' }, mfg.token)).status).toBe(400);
    });
    it('needs a token', async () => {
      expect((await h.api('POST', '/v1/recalls', lotRecall, '')).status).toBe(401);
    });
  });

  describe('when the manufacturer recalls lot RL1', () => {
    let id: string;
    let issued: any;

    beforeAll(async () => {
      const r = await h.api('POST', '/v1/recalls', lotRecall, mfg.token);
      expect(r.status, r.text).toBe(201);
      issued = r.body;
      id = r.body.id;
      expect(r.headers.get('location')).toBe(`/v1/recalls/${id}`);
    });

    it('answers with the recall, the units it marked and the sites it told', () => {
      expect(issued).toMatchObject({ scope: { gtin: GTIN, lots: ['RL1'] }, class: 'I', issuer: mfg.gln, status: 'open', units: 5 });
      expect(issued.entryIndex).toBeTypeOf('number');
      expect(issued.notifiedSites).toEqual([mfg.gln, dist.gln, ph1.gln].sort());
    });

    it('marks every unit of the lot recalled, and no other', async () => {
      for (const s of ['A1', 'A2', 'A3', 'A4', 'A5']) expect((await h.api('GET', `/v1/units/01/${GTIN}/21/${s}`)).body.unit.recalled, s).toBe(true);
      expect((await h.api('GET', `/v1/units/01/${GTIN}/21/B1`)).body.unit.recalled).toBe(false);
    });

    it('publishes the notice retained and signed by the ledger on pedigree/v1/recalls/{id}', async () => {
      const received: { topic: string; retain: boolean; payload: string }[] = [];
      ph1.client.client.on('message', (topic, payload, packet) => {
        if (topic.startsWith('pedigree/v1/recalls/')) received.push({ topic, retain: packet.retain, payload: payload.toString('utf8') });
      });
      await ph1.client.client.subscribeAsync(topics.allRecalls, { qos: 1 });
      const started = Date.now();
      while (!received.some((m) => m.topic === topics.recall(id)) && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
      const m = received.find((x) => x.topic === topics.recall(id));
      expect(m, 'retained notice').toBeDefined();
      expect(m!.retain).toBe(true);
      const parsed = parseLedgerMessage(JSON.parse(m!.payload));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.value.kind).toBe('recall');
      expect(verifyLedgerMessage(parsed.value, h.ledger.signer.publicKey, { topic: m!.topic }).ok).toBe(true);
      expect(parsed.value.body).toEqual({
        id,
        scope: { gtin: GTIN, lots: ['RL1'] },
        class: 'I',
        reason: lotRecall.reason,
        instructions: lotRecall.instructions,
        issuedAt: issued.issuedAt,
        issuer: mfg.gln,
      });
    });

    it('alerts each site holding affected units, naming them', async () => {
      const a = await expectSiteAlert(ph1, (b) => b.code === 'RECALL_ISSUED' && b.recall === id);
      expect(a.units.map((u: { serial: string }) => u.serial).sort()).toEqual(['A1', 'A2']);
      await expectSiteAlert(dist, (b) => b.code === 'RECALL_ISSUED' && b.recall === id);
      await expectSiteAlert(mfg, (b) => b.code === 'RECALL_ISSUED' && b.recall === id);
    });

    it('answers verified: true, additionalInfo: Recalled', async () => {
      const v = await h.api('GET', `/v1/verify/01/${GTIN}/21/A1`, undefined, ph1.token);
      expect(v.status).toBe(200);
      expect(v.body.data).toEqual({ verified: true, additionalInfo: 'Recalled' });
    });

    it('recalls a unit commissioned into the lot afterwards on arrival', async () => {
      await record(h, mfg, [events.commission(mfg, ['A6'], at(10), { lot: 'RL1' })]);
      expect((await h.api('GET', `/v1/units/01/${GTIN}/21/A6`)).body.unit.recalled).toBe(true);
      await record(h, mfg, [events.commission(mfg, ['B2'], at(10), { lot: 'OK2' })]);
      expect((await h.api('GET', `/v1/units/01/${GTIN}/21/B2`)).body.unit.recalled).toBe(false);
    });

    it('raises RECALLED_UNIT_MOVED when a recalled unit is dispensed', async () => {
      await record(h, ph1, [events.dispense(ph1, ['A2'], at(11))]);
      await expectSiteAlert(ph1, (b) => b.code === 'RECALLED_UNIT_MOVED' && b.serial === 'A2');
      const found = (await h.api('GET', `/v1/alerts?code=RECALLED_UNIT_MOVED&gtin=${GTIN}`)).body.alerts.filter((a: any) => a.serial === 'A2');
      expect(found[0].evidence[0]).toBe(issued.entryIndex);
    });

    it('reports where every unit is, per custodian and status, with sites and open alerts', async () => {
      const r = await h.api('GET', `/v1/recalls/${id}/report`, undefined, mfg.token);
      expect(r.status, r.text).toBe(200);
      expect(r.body.total).toBe(6);
      expect(r.body.counts).toMatchObject({ in_stock: 3, in_transit: 1, dispensed: 2, destroyed: 0, returned: 0, never_commissioned: 0 });
      expect(r.body.outstanding).toBe(4);
      const byCustodian = Object.fromEntries(r.body.byCustodian.map((c: any) => [c.custodian, c.counts]));
      expect(byCustodian[ph1.gln]).toMatchObject({ in_stock: 1, dispensed: 2 });
      expect(byCustodian[mfg.gln]).toMatchObject({ in_stock: 2, in_transit: 1 });
      expect(r.body.units.find((u: any) => u.serial === 'A3')).toMatchObject({ status: 'in_transit', custodian: mfg.gln, destination: dist.gln });
      expect(r.body.sites.map((s: any) => s.site)).toEqual([mfg.gln, dist.gln, ph1.gln].sort());
      expect(r.body.sites.every((s: any) => s.notifiedAt !== null && s.acknowledgedAt === null)).toBe(true);
      expect(r.body.openAlerts.map((a: any) => [a.code, a.serial])).toContainEqual(['RECALLED_UNIT_MOVED', 'A2']);
    });

    it('reports as CSV with Accept: text/csv or ?format=csv', async () => {
      const viaAccept = await fetch(`${h.ledger.httpUrl}/v1/recalls/${id}/report`, { headers: { Authorization: `Bearer ${regulatorToken}`, Accept: 'text/csv' } });
      expect(viaAccept.status).toBe(200);
      expect(viaAccept.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = (await viaAccept.text()).trim().split('\r\n');
      expect(lines[0]).toBe('recall,epc,gtin,serial,lot,expiry,status,custodian,destination,recalled');
      expect(lines).toHaveLength(7);
      expect(lines.find((l) => l.includes(',A3,'))).toContain(`,in_transit,${mfg.gln},${dist.gln},true`);
      const viaQuery = await h.api('GET', `/v1/recalls/${id}/report?format=csv`, undefined, mfg.token);
      expect(viaQuery.text.trim().split('\r\n')).toEqual(lines);
    });

    it('keeps the report from other parties', async () => {
      expect((await h.api('GET', `/v1/recalls/${id}/report`, undefined, ph1.token)).status).toBe(403);
      expect((await h.api('GET', `/v1/recalls/${id}/report`, undefined, otherMfgToken)).status).toBe(403);
    });

    it('lists and reads recalls for any party', async () => {
      const list = await h.api('GET', '/v1/recalls', undefined, ph1.token);
      expect(list.status).toBe(200);
      expect(list.body.recalls.map((r: any) => r.id)).toContain(id);
      const one = await h.api('GET', `/v1/recalls/${id}`, undefined, dist.token);
      expect(one.body).toMatchObject({ id, class: 'I', status: 'open' });
      expect((await h.api('GET', '/v1/recalls/rcl-0000000000000000', undefined, dist.token)).body.code).toBe('RECALL_NOT_FOUND');
    });

    it('records a site acknowledgement', async () => {
      const r = await h.api('POST', `/v1/recalls/${id}/acknowledgements`, { note: 'quarantined' }, ph1.token);
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ site: ph1.gln, note: 'quarantined' });
      expect(r.body.acknowledgedAt).toBeTypeOf('string');
      const report = await h.api('GET', `/v1/recalls/${id}/report`, undefined, mfg.token);
      expect(report.body.sites.find((s: any) => s.site === ph1.gln).acknowledgedAt).toBeTypeOf('string');
      expect((await h.api('POST', `/v1/recalls/${id}/acknowledgements`, {}, h.adminToken)).body.code).toBe('PARTY_TOKEN_REQUIRED');
    });

    it('refuses to close while units are in stock or in transit, then closes once all are accounted for', async () => {
      const early = await h.api('POST', `/v1/recalls/${id}/close`, {}, mfg.token);
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('RECALL_UNITS_OUTSTANDING');
      expect((await h.api('POST', `/v1/recalls/${id}/close`, { override: true, reason: 'x' }, mfg.token)).status).toBe(403);
      // ph1 returns A1; dist receives A3 and destroys it; the manufacturer receives A1 back and destroys A5, A6.
      await record(h, ph1, [events.ship(ph1, { serials: ['A1'] }, mfg, at(20))]);
      await record(h, mfg, [events.receive(mfg, { serials: ['A1'] }, ph1, at(21))]);
      await record(h, dist, [events.receive(dist, { serials: ['A3'] }, mfg, at(22))]);
      await record(h, dist, [events.destroy(dist, ['A3'], at(23))]);
      await record(h, mfg, [events.destroy(mfg, ['A5', 'A6'], at(24))]);
      const report = await h.api('GET', `/v1/recalls/${id}/report`, undefined, mfg.token);
      expect(report.body.counts).toMatchObject({ in_stock: 0, in_transit: 0, returned: 1, destroyed: 3, dispensed: 2 });
      const closed = await h.api('POST', `/v1/recalls/${id}/close`, {}, mfg.token);
      expect(closed.status, closed.text).toBe(200);
      expect(closed.body).toMatchObject({ id, status: 'closed', closeOverride: false, closedBy: mfg.gln });
      expect((await h.api('POST', `/v1/recalls/${id}/close`, {}, mfg.token)).body.code).toBe('RECALL_CLOSED');
    });
  });

  describe('when a regulator recalls serials, one never commissioned', () => {
    it('issues it, reports the missing serial as never commissioned, and closes only by override with a reason', async () => {
      const r = await h.api('POST', '/v1/recalls', { scope: { gtin: GTIN, serials: ['B1', 'NEVER1'] }, class: 'II', reason: 'tampering reported' }, regulatorToken);
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ issuer: REGULATOR, issuerRole: 'regulator', units: 1 });
      expect((await h.api('GET', `/v1/units/01/${GTIN}/21/B1`)).body.unit.recalled).toBe(true);
      const report = await h.api('GET', `/v1/recalls/${r.body.id}/report`, undefined, regulatorToken);
      expect(report.body.counts).toMatchObject({ in_stock: 1, never_commissioned: 1 });
      expect((await h.api('POST', `/v1/recalls/${r.body.id}/close`, { override: true }, regulatorToken)).body.code).toBe('VALIDATION_FAILED');
      const closed = await h.api('POST', `/v1/recalls/${r.body.id}/close`, { override: true, reason: 'pack located and destroyed off-ledger' }, regulatorToken);
      expect(closed.status, closed.text).toBe(200);
      expect(closed.body).toMatchObject({ status: 'closed', closeOverride: true, closeReason: 'pack located and destroyed off-ledger' });
    });
  });

  it('rebuilds the same recalled units from the log and the recall scopes', async () => {
    const result = await rebuildCustodyState({
      custody: createSqlCustodyStore(h.ledger.sql),
      store: h.ledger.store,
      recalls: await createSqlRecallStore(h.ledger.sql).activeScopes(),
    });
    expect(result.alertsResolved).toBe(0);
    for (const s of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'B1']) expect((await h.api('GET', `/v1/units/01/${GTIN}/21/${s}`)).body.unit.recalled, s).toBe(true);
    expect((await h.api('GET', `/v1/units/01/${GTIN}/21/B2`)).body.unit.recalled).toBe(false);
  });

  it('keeps the log auditable: recall entries verify with the ledger key', async () => {
    const result = await auditLog({
      store: h.ledger.store,
      devices: h.ledger.registry,
      origin: h.config.logOrigin,
      logVerifier: ed25519NoteVerifier({ name: h.config.logOrigin, publicKey: h.ledger.signer.publicKey }),
      ledgerPublicKey: h.ledger.signer.publicKey,
    });
    expect(result).toMatchObject({ ok: true });
  });
});
