// The production gateway end to end: `npm run build:gateway`'s bundle under plain node with GATEWAY_NODE_FLAGS, a
// simulated scanner on a pseudo-terminal, the real ledger. Its events (precompiled schema validation, node:crypto
// SHA-256 for the event hash ID) must be ones the ledger accepts, exactly as those of `npm run gateway`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimBarcodeScanner } from '../../firmware-sim/barcode-scanner.js';
import { makeGln, makeGtin, packAis } from '../../firmware-sim/gs1-labels.js';
import { openPtyPair, type PtyPair } from '../../firmware-sim/pty-pair.js';
import { buildGatewayBundle, GATEWAY_NODE_FLAGS } from '../../gateway/build-bundle.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { enrollTestSite, readLog, REPO_ROOT, waitForLog, type TestSite } from '../gateway/gateway-fixtures.js';

const PREFIX = '4044444';
const GLN = makeGln(PREFIX, 0);
const GTIN = makeGtin(PREFIX, 55);
const DEVICE = 'gw-bundle-e2e';
const READS = 200;

describe('the bundled gateway under plain node', () => {
  let h: LedgerHarness;
  let pty: PtyPair;
  let site: TestSite;
  let work: string;
  let ptyDir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    mkdirSync(join(REPO_ROOT, 'gateway/dist'), { recursive: true });
    work = mkdtempSync(join(REPO_ROOT, 'gateway/dist/e2e-'));
    ptyDir = mkdtempSync(join(tmpdir(), 'pedigree-pty-'));
    const [ledger, ptyPair] = await Promise.all([startLedgerHarness(), openPtyPair({ devicePath: join(ptyDir, 'dev'), hostPath: join(ptyDir, 'host') })]);
    h = ledger;
    pty = ptyPair;
    site = await enrollTestSite(h, {
      device: DEVICE,
      site: { party: GLN, location: { gln: GLN, extension: 'line1' }, role: 'manufacturer' },
      scanners: [{ name: 'line', path: pty.hostPath, mode: 'commissioning' }],
    });
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await pty?.stop();
    await h?.stop();
    for (const d of [work, ptyDir, site?.dir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('records every read, and the ledger accepts every event', async () => {
    const bundle = await buildGatewayBundle({ outfile: join(work, 'gateway.mjs') });
    child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, bundle, '--config', site.configPath, '--json', '--status-interval', '200'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PEDIGREE_GATEWAY_LOG_LEVEL: 'info' },
    });
    await Promise.all([
      waitForLog(child, (l) => l.msg === 'scanner connected'),
      waitForLog(child, (l) => l.msg === 'connected to the ledger broker'),
    ]);
    const scanner = await SimBarcodeScanner.open({ path: pty.devicePath, answerTimeoutMs: 60_000 });
    const answers = await Promise.all(
      Array.from({ length: READS }, (_, i) => scanner.scan(packAis({ gtin: GTIN, serial: `BUN${i}`, lot: 'BUN-LOT', expiry: '300101' }))),
    );
    await scanner.close();
    expect(answers.filter((a) => a[0] === 'ack')).toHaveLength(READS);
    const drained = await waitForLog(
      child,
      (l) => {
        const s = l.status as { link?: string; outbox?: { pending: number; inFlight: number; queued: number } } | undefined;
        return s?.link === 'online' && s.outbox?.pending === 0 && s.outbox.inFlight === 0 && s.outbox.queued === 0;
      },
      60_000,
    );
    const status = drained.status as { receipts: { accepted: number; rejected: number }; memory: { rssMb: number } };
    expect(status.receipts).toMatchObject({ accepted: READS, rejected: 0 });
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const log = (await readLog(h)).filter((e) => e.device === DEVICE);
    expect(log).toHaveLength(READS);
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: READS }, (_, i) => i + 1));
    console.info(`bundled gateway: ${READS} reads accepted, RSS ${status.memory.rssMb} MB`);
  }, 120_000);
});
