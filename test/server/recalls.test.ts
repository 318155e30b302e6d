// Recalls end to end (DESIGN.md §8; issue 6): issuing marks every unit of the lot recalled (and those commissioned
// later), the notice is retained and ledger-signed on pedigree/v1/recalls/{id}, the sites holding units are alerted,
// verification says Recalled, dispensing raises RECALLED_UNIT_MOVED, the report (JSON and CSV) says where every unit
// is, sites acknowledge, and the recall closes once every unit is accounted for (or by a regulator's override).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDeviceMessage } from '../../schemas/signing/device-message.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { parseLedgerMessage, verifyLedgerMessage } from '../../schemas/signing/ledger-message.js';
import { ed25519NoteVerifier } from '../../schemas/signing/signed-note.js';
import { topics } from '../../schemas/topics.js';
import { auditLog } from '../../server/domain/audit-log.js';
import { createSqlCustodyStore } from '../../server/adapters/db/custody-store.js';
import { createSqlRecallStore } from '../../server/adapters/db/recall-store.js';
import { rebuildCustodyState } from '../../server/domain/rebuild-custody-state.js';
import mqtt from 'mqtt';
import { enrollTestDevice, startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
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

  /** A site's gateway acknowledging over MQTT: signed with its device key for its own recall-acks topic. */
  function signedAck(site: Site, recallId: string, options: { topicOf?: Site; secretKey?: Uint8Array } = {}): string {
    const topic = topics.deviceRecallAcks((options.topicOf ?? site).device.device);
    return JSON.stringify(signDeviceMessage('recall-ack', { recallId, ackedAt: new Date().toISOString() }, options.secretKey ?? site.device.secretKey, topic));
  }
  async function publishAck(site: Site, payload: string): Promise<void> {
    await site.client.client.publishAsync(topics.deviceRecallAcks(site.device.device), payload, { qos: 1 });
  }
  async function ackCounts(): Promise<Record<string, number>> {
    const text = await fetch(`${h.ledger.httpUrl}/metrics`).then((r) => r.text());
    return Object.fromEntries([...text.matchAll(/^pedigree_recall_acks_total\{outcome="([A-Z_a-z]+)"\} (\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
  }
  async function waitForAckCount(outcome: string, n: number): Promise<void> {
    const started = Date.now();
    while (((await ackCounts())[outcome] ?? 0) < n) {
      if (Date.now() - started > 5000) throw new Error(`no ${n} × ${outcome} acknowledgement; have ${JSON.stringify(await ackCounts())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

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

    describe('when a gateway acknowledges over MQTT', () => {
      it('records the acknowledgement for the site owning the device, once however often it is sent', async () => {
        await publishAck(dist, signedAck(dist, id));
        await waitForAckCount('recorded', 1);
        await publishAck(dist, signedAck(dist, id));
        await waitForAckCount('recorded', 2);
        const report = await h.api('GET', `/v1/recalls/${id}/report`, undefined, mfg.token);
        const site = report.body.sites.find((s: any) => s.site === dist.gln);
        expect(site).toMatchObject({ site: dist.gln, acknowledgedByDevice: dist.device.device, note: null });
        expect(site.acknowledgedAt).toBeTypeOf('string');
        const again = (await h.api('GET', `/v1/recalls/${id}`, undefined, dist.token)).body.sites.find((s: any) => s.site === dist.gln);
        expect(again.acknowledgedAt).toBe(site.acknowledgedAt);
      });

      it('drops hostile acknowledgements with a code and keeps running', async () => {
        const before = await ackCounts();
        const other = generateKeyPair();
        await publishAck(dist, 'not json {');
        await publishAck(dist, JSON.stringify({ v: 1, kind: 'recall-ack', topic: topics.deviceRecallAcks(dist.device.device), body: { recallId: 'x' }, sig: 'A'.repeat(86) }));
        await publishAck(dist, signedAck(dist, id, { secretKey: other.secretKey }));
        await publishAck(dist, signedAck(dist, 'rcl-0000000000000000'));
        // Signed by ph1 for its own topic, replayed by dist on dist's topic: refused (the topic is signed).
        await publishAck(dist, signedAck(ph1, id));
        for (const [code, n] of [['INVALID_JSON', 1], ['DEVICE_MESSAGE_INVALID', 1], ['SIGNATURE_INVALID', 1], ['RECALL_NOT_FOUND', 1], ['TOPIC_DEVICE_MISMATCH', 1]] as const) {
          await waitForAckCount(code, (before[code] ?? 0) + n);
        }
        // Still running: a good acknowledgement from the manufacturer's gateway is recorded.
        await publishAck(mfg, signedAck(mfg, id));
        await waitForAckCount('recorded', (before.recorded ?? 0) + 1);
        const sites = (await h.api('GET', `/v1/recalls/${id}`, undefined, mfg.token)).body.sites;
        expect(sites.find((s: any) => s.site === mfg.gln).acknowledgedByDevice).toBe(mfg.device.device);
      });

      it('lets no device publish on another device’s recall-acks topic (broker ACL)', async () => {
        const intruder = await enrollTestDevice(h, { device: `gw-intruder-${suffix}`, gln: ph1.gln, ext: 'back-office', role: 'pharmacy' });
        const client = await mqtt.connectAsync(h.ledger.mqttUrl, { clientId: intruder.device, username: intruder.mqtt.username, password: intruder.mqtt.password, reconnectPeriod: 0 });
        const before = await ackCounts();
        const payload = JSON.stringify(
          signDeviceMessage('recall-ack', { recallId: id, ackedAt: new Date().toISOString() }, intruder.secretKey, topics.deviceRecallAcks(ph1.device.device)),
        );
        const denied = await new Promise<Error | undefined>((resolve) => {
          client.once('close', () => resolve(new Error('connection closed by the broker')));
          client.publish(topics.deviceRecallAcks(ph1.device.device), payload, { qos: 1 }, (e) => resolve(e ?? undefined));
        });
        expect(denied).toBeInstanceOf(Error);
        client.end(true);
        await new Promise((r) => setTimeout(r, 200));
        expect(await ackCounts()).toEqual(before);
      });
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

    it('replaces the retained notice with a signed closed one; the units stay recalled', async () => {
      const topic = topics.recall(id);
      const notices: { retain: boolean; body: Record<string, any> }[] = [];
      const onMessage = (t: string, payload: Buffer, packet: { retain: boolean }) => {
        if (t !== topic) return;
        const parsed = parseLedgerMessage(JSON.parse(payload.toString('utf8')));
        if (parsed.ok && verifyLedgerMessage(parsed.value, h.ledger.signer.publicKey, { topic }).ok) notices.push({ retain: packet.retain, body: parsed.value.body });
      };
      // A fresh subscription gets only what is retained now.
      await mfg.client.client.unsubscribeAsync(topics.allRecalls).catch(() => undefined);
      mfg.client.client.on('message', onMessage);
      await mfg.client.client.subscribeAsync(topic, { qos: 1 });
      const started = Date.now();
      while (notices.length === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
      mfg.client.client.off('message', onMessage);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ retain: true, body: { id, scope: { gtin: GTIN, lots: ['RL1'] }, class: 'I', status: 'closed', closedBy: mfg.gln } });
      expect(notices[0]!.body.closedAt).toBeTypeOf('string');
      for (const s of ['A1', 'A2', 'A3']) expect((await h.api('GET', `/v1/units/01/${GTIN}/21/${s}`)).body.unit.recalled, s).toBe(true);
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
