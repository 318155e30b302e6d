// A recall seen from a pharmacy's real gateway (DESIGN.md §8; issue 6): the ledger's signed retained notice reaches
// the gateway, which refuses the lot at the counter and acknowledges the notice once over MQTT (signed with its device
// key), so the recall's sites show the pharmacy as acknowledged; a restart does not send it again; closing the recall
// replaces the notice with a signed closed one: the recall stops being active at the gateway, its packs stay refused;
// an unsigned empty retained message (how MQTT clears one) changes nothing.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGln, makeGtin, packAis } from '../../firmware-sim/gs1-labels.js';
import { formatScanData } from '../../schemas/gs1/index.js';
import { topics } from '../../schemas/topics.js';
import type { RunningGateway } from '../../gateway/gateway.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { enrollTestSite, startTestGateway, waitFor, type TestSite } from '../gateway/gateway-fixtures.js';

const PREFIX = '4023333';
const MFG = makeGln(PREFIX, 1);
const PHARMACY = makeGln(PREFIX, 2);
const REGULATOR = makeGln(PREFIX, 9);
const GTIN = makeGtin(PREFIX, 77);
const LEDGER_MQTT_PASSWORD = 'test-ledger-mqtt-password';

function frame(serial: string, lot: string): string {
  const data = formatScanData(packAis({ gtin: GTIN, serial, lot, expiry: '300101' }));
  if (!data.ok) throw new Error(data.message);
  return data.value;
}

describe('a recall at a pharmacy gateway', () => {
  let h: LedgerHarness;
  let site: TestSite;
  let gateway: RunningGateway | undefined;
  const tokens = { mfg: '', reg: '' };
  let recallId: string;

  const acksRecorded = async () => {
    const text = await fetch(`${h.ledger.httpUrl}/metrics`).then((r) => r.text());
    return Number(/^pedigree_recall_acks_total\{outcome="recorded"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };

  beforeAll(async () => {
    h = await startLedgerHarness({ env: { PEDIGREE_MQTT_PASSWORD: LEDGER_MQTT_PASSWORD } });
    for (const [key, party, role] of [
      ['mfg', MFG, 'manufacturer'],
      ['reg', REGULATOR, 'regulator'],
    ] as const) {
      expect((await h.api('POST', '/v1/parties', { gln: party, name: key, role })).status).toBe(201);
      tokens[key] = (await h.api('POST', '/v1/tokens', { party, role })).body.token;
    }
    expect((await h.api('POST', `/v1/parties/${MFG}/company-prefixes`, { prefix: PREFIX })).status).toBe(201);
    site = await enrollTestSite(h, {
      device: 'gw-counter',
      site: { party: PHARMACY, location: { gln: PHARMACY, extension: 'counter' }, role: 'pharmacy' },
      scanners: [{ name: 'counter', path: '/dev/null', mode: 'dispensing' }],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await h?.stop();
    if (site) rmSync(site.dir, { recursive: true, force: true });
  });

  it('refuses the recalled lot and acknowledges the notice over MQTT: the recall shows the pharmacy acknowledged', async () => {
    gateway = await startTestGateway(site, { noSerial: true });
    await waitFor(() => (gateway!.status().link === 'online' ? true : undefined));
    const issued = await h.api('POST', '/v1/recalls', { scope: { gtin: GTIN, lots: ['BAD1'] }, class: 'I', reason: 'sterility' }, tokens.mfg);
    expect(issued.status, issued.text).toBe(201);
    recallId = issued.body.id;

    await waitFor(() => (gateway!.status().recalls === 1 ? true : undefined));
    const [bad, good] = await Promise.all([gateway.submitFrame('counter', frame('P1', 'BAD1')), gateway.submitFrame('counter', frame('P2', 'GOOD1'))]);
    expect(bad).toMatchObject({ ok: false, code: 'RECALLED' });
    expect(good).toMatchObject({ ok: true, kind: 'event' });

    const acked = await waitFor(async () => {
      const r = await h.api('GET', `/v1/recalls/${recallId}`, undefined, tokens.mfg);
      return r.body.sites.find((s: { site: string; acknowledgedAt: string | null }) => s.site === PHARMACY && s.acknowledgedAt !== null);
    });
    expect(acked).toMatchObject({ site: PHARMACY, acknowledgedByDevice: 'gw-counter', note: null });
    const report = await h.api('GET', `/v1/recalls/${recallId}/report`, undefined, tokens.reg);
    expect(report.body.sites.find((s: { site: string }) => s.site === PHARMACY)).toMatchObject({ acknowledgedByDevice: 'gw-counter' });
    expect(await acksRecorded()).toBe(1);
    const remembered = join(site.config.dataDir, 'recall-acks.json');
    await waitFor(() => existsSync(remembered));
    expect(JSON.parse(readFileSync(remembered, 'utf8'))).toEqual([recallId]);
  });

  it('does not acknowledge again after a restart, though the retained notice comes again', async () => {
    await gateway!.stop();
    gateway = await startTestGateway(site, { noSerial: true });
    await waitFor(() => (gateway!.status().link === 'online' && gateway!.status().recalls === 1 ? true : undefined));
    expect(await gateway.submitFrame('counter', frame('P3', 'BAD1'))).toMatchObject({ ok: false, code: 'RECALLED' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await acksRecorded()).toBe(1);
  });

  it('takes the signed closed notice: the recall is no longer active, its packs are still refused', async () => {
    const closed = await h.api('POST', `/v1/recalls/${recallId}/close`, { override: true, reason: 'lot destroyed off-ledger' }, tokens.reg);
    expect(closed.status, closed.text).toBe(200);
    await waitFor(() => (gateway!.status().recalls === 0 ? true : undefined));
    expect(gateway!.recalls.isClosed(recallId)).toBe(true);
    expect(await gateway!.submitFrame('counter', frame('P4', 'BAD1'))).toMatchObject({ ok: false, code: 'RECALLED' });
    // A gateway connecting later gets the closed notice (retained): the recall is known, closed, and still applies.
    await gateway!.stop();
    gateway = await startTestGateway(site, { noSerial: true });
    await waitFor(() => (gateway!.status().link === 'online' && gateway!.recalls.isClosed(recallId) ? true : undefined));
    expect(gateway.status().recalls).toBe(0);
    expect(await gateway.submitFrame('counter', frame('P5', 'BAD1'))).toMatchObject({ ok: false, code: 'RECALLED' });
    expect(await acksRecorded()).toBe(1);
  });

  it('ignores an unsigned empty retained message on the recall topic (logged): the recall stays as it was', async () => {
    const logged: { msg?: string; recall?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    await gateway!.stop();
    gateway = await startTestGateway(site, { noSerial: true, logger });
    await waitFor(() => (gateway!.recalls.isClosed(recallId) ? true : undefined));
    // Only the ledger may publish there: an empty payload is how MQTT clears a retained message, and it is unsigned.
    const asLedger = await mqtt.connectAsync(h.ledger.mqttUrl, { username: 'pedigree-ledger', password: LEDGER_MQTT_PASSWORD, clientId: 'test-ledger-2', reconnectPeriod: 0 });
    await asLedger.publishAsync(topics.recall(recallId), '', { qos: 1, retain: true });
    await asLedger.endAsync();
    await waitFor(() => logged.find((l) => l.recall === recallId && /unsigned empty recall notice ignored/.test(l.msg ?? '')));
    expect(gateway.recalls.isClosed(recallId)).toBe(true);
    expect(await gateway.submitFrame('counter', frame('P6', 'BAD1'))).toMatchObject({ ok: false, code: 'RECALLED' });
  });
});
