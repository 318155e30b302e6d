// Acceptance: bad serial input (noise, truncation, 1 MB without a newline, an invalid check digit, binary garbage)
// never crashes the gateway and never publishes; good reads around it still get through.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimBarcodeScanner } from '../../firmware-sim/barcode-scanner.js';
import { noiseBytes, seededRandom } from '../../firmware-sim/frame-quirks.js';
import { makeGln, makeGtin, packAis } from '../../firmware-sim/gs1-labels.js';
import { openPtyPair, type PtyPair } from '../../firmware-sim/pty-pair.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { enrollTestSite, readLog, spawnGatewayProcess, waitFor, waitForLog, type TestSite } from '../gateway/gateway-fixtures.js';

const PREFIX = '4033333';
const GLN = makeGln(PREFIX, 0);
const GTIN = makeGtin(PREFIX, 99);

describe('when the serial line carries garbage', () => {
  let h: LedgerHarness;
  let pty: PtyPair;
  let ptyDir: string;
  let site: TestSite;
  let gateway: ChildProcess;
  let scanner: SimBarcodeScanner;

  beforeAll(async () => {
    h = await startLedgerHarness();
    ptyDir = mkdtempSync(join(tmpdir(), 'pedigree-pty-'));
    pty = await openPtyPair({ devicePath: join(ptyDir, 'dev'), hostPath: join(ptyDir, 'host') });
    site = await enrollTestSite(h, {
      device: 'gw-garbage',
      site: { party: GLN, location: { gln: GLN, extension: 'counter' }, role: 'pharmacy' },
      scanners: [{ name: 'counter', path: pty.hostPath, mode: 'commissioning' }],
    });
    gateway = spawnGatewayProcess(site);
    await Promise.all([waitForLog(gateway, (l) => l.msg === 'scanner connected'), waitForLog(gateway, (l) => l.msg === 'connected to the ledger broker')]);
    scanner = await SimBarcodeScanner.open({ path: pty.devicePath, answerTimeoutMs: 100_000 });
  });

  afterAll(async () => {
    await scanner?.close();
    if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
    await pty?.stop();
    await h?.stop();
    if (ptyDir) rmSync(ptyDir, { recursive: true, force: true });
    if (site) rmSync(site.dir, { recursive: true, force: true });
  });

  it('refuses every bad frame with a NAK, stays up, and publishes only the good reads', async () => {
    const label = (serial: string) => packAis({ gtin: GTIN, serial, lot: 'G1', expiry: '300630' });
    const random = seededRandom(42);
    expect(await scanner.scan(label('GOOD-1'))).toEqual(['ack']);

    const bad: Promise<string[]>[] = [];
    for (let i = 0; i < 50; i++) bad.push(scanner.scan(label(`N${i}`), { noise: 1 + (i % 9) }));
    for (let i = 0; i < 50; i++) bad.push(scanner.scan(label(`T${i}`), { truncated: true }));
    bad.push(scanner.sendOversize(1024 * 1024));
    bad.push(scanner.sendRaw(`]d201${GTIN.slice(0, 13)}${(Number(GTIN[13]) + 1) % 10}21BADCHECK\r`));
    bad.push(scanner.sendRaw(Buffer.concat([noiseBytes(5000, random), Buffer.from('\r')]))); // longer than any frame
    bad.push(scanner.sendRaw(Buffer.concat([noiseBytes(200, random), Buffer.from('\r')])));
    bad.push(scanner.sendRaw(']d2\r')); // symbology identifier, no data
    bad.push(scanner.sendRaw(']C1\x1d\x1d\x1d\r'));
    const answers = (await Promise.all(bad)).flat();
    expect(answers.length).toBe(106);
    expect(answers.filter((a) => a !== 'nak')).toEqual([]);

    // A second megabyte without any terminator, ended by a good read: that read is swallowed with it (one NAK).
    expect(await scanner.sendRaw(Buffer.concat([Buffer.alloc(1024 * 1024, 0x30), Buffer.from(']d2'), Buffer.from('\r')]))).toEqual(['nak']);
    expect(await scanner.scan(label('GOOD-2'))).toEqual(['ack']);
    expect(gateway.exitCode).toBeNull();

    await waitFor(async () => ((await readLog(h)).length === 2 ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 300));
    const log = await readLog(h);
    expect(log.map((e) => e.event.epcList[0])).toEqual([`https://id.gs1.org/01/${GTIN}/21/GOOD-1`, `https://id.gs1.org/01/${GTIN}/21/GOOD-2`]);
    const rejections = await h.api('GET', '/v1/rejections');
    expect(rejections.body.rejections).toEqual([]);
  }, 120_000);
});
