// Acceptance: a gateway offline for 100,000 reads, then reconnected: all arrive, in order per device, none twice.
//
// The reads go in through the gateway's read pipeline (submitFrame: decode, de-dup, build, sign, outbox with
// fsync), not through a pseudo-terminal: 100,000 frames over a pty add nothing the serial tests do not cover and
// would only slow the suite. The network outage is real: the gateway talks to the broker through a TCP proxy
// that is cut, so it keeps failing to reconnect while its outbox fills. The ledger runs in its own process, as in
// production, so that ledger and gateway do not share one thread while the outbox drains.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGln, makeGtin, packAis } from '../../firmware-sim/gs1-labels.js';
import { formatScanData } from '../../schemas/gs1/index.js';
import type { RunningGateway } from '../../gateway/gateway.js';
import { enrollTestSite, readDeviceEntriesFromDataDir, startTestGateway, waitFor, type TestSite } from '../gateway/gateway-fixtures.js';
import { spawnLedgerChild, type LedgerChild } from '../gateway/ledger-child.js';
import { startTcpCable, type TcpCable } from '../gateway/tcp-cable.js';

const PREFIX = '4022222';
const GLN = makeGln(PREFIX, 0);
const GTIN = makeGtin(PREFIX, 4242);
// The acceptance figure; PEDIGREE_TEST_OFFLINE_READS scales it down for a quick local run.
const READS = Number(process.env.PEDIGREE_TEST_OFFLINE_READS ?? 100_000);

describe('when the network is down for a long time', () => {
  let ledger: LedgerChild;
  let cable: TcpCable;
  let site: TestSite;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    // Bigger batches make the ledger faster (~1,500 rather than ~1,000 appends/s on PGlite here); the window
    // still bounds what a reconnect sends at once.
    ledger = await spawnLedgerChild({ PEDIGREE_BATCH_MAX: '4000' });
    cable = await startTcpCable(new URL(ledger.mqttUrl));
    site = await enrollTestSite(ledger, {
      device: 'gw-offline',
      site: { party: GLN, location: { gln: GLN, extension: 'wh1' }, role: 'manufacturer' },
      ledger: { mqttUrl: cable.url },
      outbox: { maxInFlight: 4000 },
      scanners: [{ name: 'line', path: '/dev/null', mode: 'commissioning' }],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await cable?.close();
    await ledger?.stop();
    if (ledger) rmSync(ledger.dataDir, { recursive: true, force: true });
    if (site) rmSync(site.dir, { recursive: true, force: true });
  });

  it(`delivers ${READS.toLocaleString('en-US')} reads after reconnecting, in seq order, each exactly once`, async () => {
    gateway = await startTestGateway(site, { noSerial: true });
    await waitFor(() => (gateway!.status().link === 'online' ? true : undefined));
    await cable.cut();
    await waitFor(() => (gateway!.status().link !== 'online' ? true : undefined));

    const frame = (i: number) => {
      const data = formatScanData(packAis({ gtin: GTIN, serial: `OFF${i}`, lot: 'OFF-LOT', expiry: '300101' }));
      if (!data.ok) throw new Error(data.message);
      return data.value;
    };
    const t0 = Date.now();
    for (let start = 0; start < READS; start += 2000) {
      const outcomes = await Promise.all(
        Array.from({ length: Math.min(2000, READS - start) }, (_, k) => gateway!.submitFrame('line', frame(start + k))),
      );
      expect(outcomes.every((o) => o.ok && o.kind === 'event')).toBe(true);
    }
    const offline = gateway.status();
    expect(offline.link).not.toBe('online');
    expect(offline.outbox.pending).toBe(READS);
    expect(offline.outbox.inFlight).toBeLessThanOrEqual(site.config.outbox.maxInFlight);

    const t1 = Date.now();
    await cable.restore();
    await gateway.whenDrained();
    const t2 = Date.now();
    const status = gateway.status();
    expect(status.outbox.pending).toBe(0);
    expect(status.receipts!.accepted + status.receipts!.duplicate).toBeGreaterThanOrEqual(READS);
    expect(status.outbox.rejected).toBe(0);

    await gateway.stop();
    gateway = undefined;
    await ledger.stop({ keepData: true });
    const log = await readDeviceEntriesFromDataDir(ledger.dataDir, 'gw-offline');
    expect(log).toHaveLength(READS);
    // In order per device: log order is seq order 1..N, and each read's unit appears once.
    expect(log.every((e, i) => e.seq === i + 1)).toBe(true);
    const units = new Set(log.map((e) => e.epc));
    expect(units.size).toBe(READS);
    console.info(`offline: ${READS} reads stored in ${t1 - t0} ms, drained in ${t2 - t1} ms, log read in ${Date.now() - t2} ms`);
  }, 400_000);
});
