// Acceptance: the gateway process is killed with SIGKILL while 10,000 reads are in flight and the broker is restarted
// once; after the gateway restarts, every read acknowledged to the scanner is in the ledger exactly once.
//
// The embedded broker (Aedes) lives in the ledger process, so restarting the broker here means restarting the
// ledger (harness.restart(): same ports, same data). Aedes keeps nothing across that restart, which is the hard case:
// every envelope it held is gone, and only the gateway's outbox and receipts bring them back.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimBarcodeScanner, type ScanAnswer } from '../../firmware-sim/barcode-scanner.js';
import { makeGln, makeGtin, packAis } from '../../firmware-sim/gs1-labels.js';
import { openPtyPair, type PtyPair } from '../../firmware-sim/pty-pair.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { enrollTestSite, readLog, spawnGatewayProcess, waitForLog, type TestSite } from '../gateway/gateway-fixtures.js';

const PREFIX = '4011111';
const GLN = makeGln(PREFIX, 0);
const GTIN = makeGtin(PREFIX, 777);
const READS = 10_000;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

describe('when the power goes mid-shift', () => {
  let h: LedgerHarness;
  let pty: PtyPair;
  let site: TestSite;
  let ptyDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    h = await startLedgerHarness();
    ptyDir = mkdtempSync(join(tmpdir(), 'pedigree-pty-'));
    pty = await openPtyPair({ devicePath: join(ptyDir, 'dev'), hostPath: join(ptyDir, 'host') });
    site = await enrollTestSite(h, {
      device: 'gw-power-loss',
      site: { party: GLN, location: { gln: GLN, extension: 'line9' }, role: 'manufacturer' },
      scanners: [{ name: 'line', path: pty.hostPath, mode: 'commissioning' }],
      outbox: { maxInFlight: 200, receiptTimeoutMs: 5000 },
    });
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await pty?.stop();
    await h?.stop();
    if (ptyDir) rmSync(ptyDir, { recursive: true, force: true });
    if (site) rmSync(site.dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged read exactly once across SIGKILL and a broker restart', async () => {
    const first = spawnGatewayProcess(site);
    children.push(first);
    await Promise.all([
      waitForLog(first, (l) => l.msg === 'scanner connected'),
      waitForLog(first, (l) => l.msg === 'connected to the ledger broker'),
    ]);
    const scanner = await SimBarcodeScanner.open({ path: pty.devicePath, answerTimeoutMs: 120_000 });
    const serials = Array.from({ length: READS }, (_, i) => `PL${String(i).padStart(6, '0')}`);
    const answers = new Map<string, ScanAnswer>();
    let acks = 0;
    let brokerRestart: Promise<void> | undefined;
    let killed = false;
    const allAnswered = Promise.all(
      serials.map((serial) =>
        scanner.scan(packAis({ gtin: GTIN, serial, lot: 'PL-LOT', expiry: '291130' })).then(([answer]) => {
          answers.set(serial, answer ?? 'none');
          if (answer === 'ack') acks += 1;
          // The broker goes down once while reads stream in; later the gateway loses power.
          if (acks === 2500 && !brokerRestart) brokerRestart = h.restart();
          if (acks === 6000 && !killed) {
            killed = true;
            first.kill('SIGKILL');
          }
        }),
      ),
    );
    await exited(first);
    expect(first.signalCode).toBe('SIGKILL');
    await brokerRestart;
    // Whatever the dead gateway never answered stays unacknowledged.
    await scanner.close();
    await allAnswered;
    const acknowledged = serials.filter((s) => answers.get(s) === 'ack');
    expect(acknowledged.length).toBeGreaterThanOrEqual(6000);
    expect(acknowledged.length).toBeLessThan(READS);

    // Power back: the gateway restarts on the same outbox and drains it.
    const second = spawnGatewayProcess(site);
    children.push(second);
    await waitForLog(
      second,
      (l) => {
        const s = l.status as { link?: string; outbox?: { pending: number; queued: number; inFlight: number } } | undefined;
        return s?.link === 'online' && s.outbox?.pending === 0 && s.outbox.queued === 0 && s.outbox.inFlight === 0;
      },
      120_000,
    );
    second.kill('SIGTERM');
    await exited(second);

    const log = (await readLog(h)).filter((e) => e.device === 'gw-power-loss');
    const perUnit = new Map<string, number>();
    for (const e of log) {
      expect(e.event.bizStep).toBe('commissioning');
      for (const epc of e.event.epcList as string[]) perUnit.set(epc, (perUnit.get(epc) ?? 0) + 1);
    }
    const dl = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
    const missing = acknowledged.filter((s) => perUnit.get(dl(s)) !== 1);
    expect(missing).toEqual([]);
    expect([...perUnit.values()].every((n) => n === 1)).toBe(true);
    const seqs = log.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    console.info(`power loss: ${acknowledged.length} of ${READS} reads acknowledged, ${log.length} entries`);
  }, 170_000);
});
