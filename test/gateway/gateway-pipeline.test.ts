// The read pipeline of a gateway without a network: de-dup, refusals at the counter, verify mode, what survives a restart.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGatewayConfig, type GatewayConfig, type GatewayFileConfig } from '../../gateway/config.js';
import { startGateway, type RunningGateway } from '../../gateway/gateway.js';
import { ledgerTrustFromVkey } from '../../gateway/ledger-messages.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { formatVkey, SIGNATURE_TYPE_ED25519 } from '../../schemas/signing/signed-note.js';
import { quietLogger, waitFor } from './gateway-fixtures.js';

const GS = '\x1d';
const GTIN = '09506000134352';
const pack = (serial: string, lot = 'L1', exp = '281231') => `]d201${GTIN}17${exp}10${lot}${GS}21${serial}`;
const SSCC = '106141411234567897';
const ledgerKey = generateKeyPair();
const trust = (() => {
  const t = ledgerTrustFromVkey(formatVkey({ name: 'test/ledger', type: SIGNATURE_TYPE_ED25519, publicKey: ledgerKey.publicKey }));
  if (!t.ok) throw new Error(t.message);
  return t.value;
})();
const deviceKey = generateKeyPair();

describe('the read pipeline', () => {
  let dir: string;
  let running: RunningGateway[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pedigree-gw-pipeline-'));
  });
  afterEach(async () => {
    for (const g of running) await g.stop();
    running = [];
    rmSync(dir, { recursive: true, force: true });
  });

  function config(scanners: GatewayFileConfig['scanners'], extra: Partial<GatewayFileConfig> = {}): GatewayConfig {
    const parsed = parseGatewayConfig(
      { device: 'gw-test', site: { party: '4012345000009', location: { gln: '4012345000009', extension: 'c1' } }, ledger: { mqttUrl: 'mqtt://127.0.0.1:1', httpUrl: 'http://ledger.test' }, dataDir: 'data', scanners, ...extra },
      dir,
    );
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.config;
  }

  /** The ledger as far as a starting gateway asks it: `GET /v1/devices/gw-test` says no seq is in the log yet. */
  const withDeviceLookup =
    (inner: typeof fetch = async () => new Response('{}', { status: 404 })): typeof fetch =>
    async (url, init) =>
      String(url).endsWith('/v1/devices/gw-test')
        ? new Response(JSON.stringify({ device: 'gw-test', lastSeq: null, keys: [] }), { status: 200 })
        : inner(url, init);

  async function start(c: GatewayConfig, extra: { fetch?: typeof fetch; clock?: () => Date } = {}): Promise<RunningGateway> {
    const g = await startGateway({ config: c, secretKey: deviceKey.secretKey, credentials: { username: 'gw-test', password: 'x' }, trust, logger: quietLogger(), offline: true, noSerial: true, ...extra, fetch: withDeviceLookup(extra.fetch) });
    running.push(g);
    return g;
  }

  it('stores a read once however often the scanner repeats it within the window', async () => {
    const g = await start(config([{ name: 'line', path: '/dev/null', mode: 'commissioning' }]));
    const [a, b] = await Promise.all([g.submitFrame('line', pack('S1')), g.submitFrame('line', pack('S1'))]);
    expect(a).toMatchObject({ ok: true, kind: 'event', seq: 1, bizStep: 'commissioning' });
    expect(b).toMatchObject({ ok: true, kind: 'duplicate', of: { seq: 1 } });
    expect(g.outbox.pending).toBe(1);
    expect(g.status().reads).toMatchObject({ frames: 2, recorded: 1, duplicates: 1 });
  });

  it('refuses bad frames locally and never stores them', async () => {
    const g = await start(config([{ name: 'line', path: '/dev/null', mode: 'commissioning' }]));
    const outcomes = await Promise.all([
      g.submitFrame('line', ']d20109506000134353211'),
      g.submitFrame('line', '\x07\x00garbage'),
      g.submitFrame('line', { kind: 'overflow', length: 1024 * 1024 }),
      g.submitFrame('line', `]d201${GTIN}21X`), // no lot, no expiry
    ]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual(['INCORRECT_CHECK_DIGIT', 'NOT_GS1', 'FRAME_TOO_LONG', 'ILMD_MISSING']);
    expect(g.outbox.pending).toBe(0);
    expect(g.status().refusedByCode).toMatchObject({ INCORRECT_CHECK_DIGIT: 1, FRAME_TOO_LONG: 1 });
  });

  describe('at a dispensing counter', () => {
    it('refuses a recalled pack, a suspect pack and an expired pack, and dispenses the rest', async () => {
      const g = await start(config([{ name: 'counter', path: '/dev/null', mode: 'dispensing' }]), { clock: () => new Date('2027-06-01T12:00:00Z') });
      g.recalls.applyRecall('R1', { id: 'R1', scope: { gtin: GTIN, lots: ['BAD'] }, class: 'I', reason: 'particles' });
      g.recalls.applyAlert({ id: 'A1', code: 'ALREADY_INACTIVE', unit: { gtin: GTIN, serial: 'CLONE' } });
      const o = await Promise.all([
        g.submitFrame('counter', pack('S1', 'BAD')),
        g.submitFrame('counter', pack('CLONE')),
        g.submitFrame('counter', pack('OLD', 'L1', '270531')),
        g.submitFrame('counter', pack('GOOD')),
      ]);
      expect(o.map((x) => (x.ok ? x.kind : x.code))).toEqual(['RECALLED', 'SUSPECT', 'EXPIRED', 'event']);
      expect(g.outbox.pending).toBe(1);
    });
  });

  describe('in verify mode', () => {
    const answer = (body: unknown, status = 200): typeof fetch =>
      (async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })) as typeof fetch;

    it("shows the ledger's answer and records nothing", async () => {
      const seen: string[] = [];
      const fetchStub: typeof fetch = async (url) => {
        seen.push(String(url));
        return new Response(JSON.stringify({ verificationTimestamp: 'x', data: { verified: true } }), { status: 200 });
      };
      const g = await start(config([{ name: 'v', path: '/dev/null', mode: 'verify' }], { ledger: { mqttUrl: 'mqtt://127.0.0.1:1', httpUrl: 'http://ledger.test', token: 't' } }), { fetch: fetchStub });
      expect(await g.submitFrame('v', pack('S1', 'L/1'))).toMatchObject({ ok: true, kind: 'verified' });
      expect(seen).toEqual([`http://ledger.test/v1/verify/01/${GTIN}/21/S1?lot=L%2F1&exp=281231`]);
      expect(g.outbox.pending).toBe(0);
    });

    it('refuses a pack the ledger does not verify, or flags, or cannot be asked about', async () => {
      const c = config([{ name: 'v', path: '/dev/null', mode: 'verify' }]);
      const g1 = await start(c, { fetch: answer({ data: { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' } }) });
      expect(await g1.submitFrame('v', pack('S1'))).toMatchObject({ ok: false, code: 'NOT_VERIFIED', message: expect.stringContaining('No_match_GTIN_Serial') });
      await g1.stop();
      running = [];
      const g2 = await start(c, { fetch: answer({ data: { verified: true, additionalInfo: 'Recalled' } }) });
      expect(await g2.submitFrame('v', pack('S2'))).toMatchObject({ ok: false, code: 'NOT_VERIFIED' });
      await g2.stop();
      running = [];
      const g3 = await start(c, { fetch: answer({ type: 'about:blank' }, 404) });
      expect(await g3.submitFrame('v', pack('S3'))).toMatchObject({ ok: false, code: 'VERIFY_UNAVAILABLE' });
    });
  });

  describe('after a reboot at the counter', () => {
    it('still refuses a pack that an alert named suspect before it', async () => {
      const c = config([{ name: 'counter', path: '/dev/null', mode: 'dispensing' }]);
      const g1 = await start(c, { clock: () => new Date('2027-06-01T12:00:00Z') });
      g1.recalls.applyAlert({ id: 'A7', code: 'LOCATION_CONFLICT', unit: `https://id.gs1.org/01/${GTIN}/21/CLONE7` });
      await g1.stop();
      running = [];
      const g2 = await start(c, { clock: () => new Date('2027-06-01T12:05:00Z') });
      expect(g2.status().suspects).toBe(1);
      expect(await g2.submitFrame('counter', pack('CLONE7'))).toMatchObject({ ok: false, code: 'SUSPECT', message: expect.stringContaining('A7') });
      expect(await g2.submitFrame('counter', pack('FINE7'))).toMatchObject({ ok: true, kind: 'event' });
    });

    it('writes the suspects down when the alert comes, not only on a clean stop', async () => {
      const c = config([{ name: 'counter', path: '/dev/null', mode: 'dispensing' }]);
      const g = await start(c);
      g.recalls.applyAlert({ id: 'A8', code: 'ALREADY_INACTIVE', unit: { gtin: GTIN, serial: 'GONE8' } });
      const file = join(c.dataDir, 'suspects.json');
      await waitFor(() => (existsSync(file) && readFileSync(file, 'utf8').includes('GONE8') ? true : undefined), 5000);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v: 1, suspects: [[`01/${GTIN}/21/GONE8`, 'A8', 'ALREADY_INACTIVE']] });
    });
  });

  describe('after a restart', () => {
    it('continues the seq and the open case, and still holds what was not yet published', async () => {
      const c = config([{ name: 'pack', path: '/dev/null', mode: 'packing' }]);
      const g1 = await start(c);
      expect(await g1.submitFrame('pack', `]d200${SSCC}`)).toMatchObject({ ok: true, kind: 'session' });
      expect(await g1.submitFrame('pack', pack('S1'))).toMatchObject({ ok: true, seq: 1 });
      await g1.stop();
      running = [];
      const g2 = await start(c);
      expect(g2.outbox.pending).toBe(1);
      const o = await g2.submitFrame('pack', pack('S2'));
      expect(o).toMatchObject({ ok: true, kind: 'event', seq: 2, bizStep: 'packing' });
      const [, second] = await g2.outbox.readNext(10);
      expect(JSON.parse(second!.payload.toString()).event.parentID).toBe(`https://id.gs1.org/00/${SSCC}`);
    });
  });
});
