// Acceptance (issue 5): seq survives losing the gateway's data folder. A gateway whose outbox and seq state are
// deleted continues above every seq the ledger has seen, so its new events are accepted, never SEQ_REUSED
// (DESIGN.md §3: the same seq with another event is what a cloned device looks like).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGln, makeGtin, packAis } from '../../firmware-sim/gs1-labels.js';
import type { RunningGateway } from '../../gateway/gateway.js';
import { formatScanData } from '../../schemas/gs1/index.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { enrollTestSite, readLog, startTestGateway, type TestSite } from '../gateway/gateway-fixtures.js';

const PREFIX = '4033333';
const GLN = makeGln(PREFIX, 0);
const GTIN = makeGtin(PREFIX, 31);
const DEVICE = 'gw-seq-recovery';

function frame(serial: string): string {
  const data = formatScanData(packAis({ gtin: GTIN, serial, lot: 'SEQ-LOT', expiry: '300101' }));
  if (!data.ok) throw new Error(data.message);
  return data.value;
}

describe('when a gateway loses its outbox and seq state', () => {
  let h: LedgerHarness;
  let site: TestSite;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    h = await startLedgerHarness();
    site = await enrollTestSite(h, {
      device: DEVICE,
      site: { party: GLN, location: { gln: GLN, extension: 'line1' }, role: 'manufacturer' },
      scanners: [{ name: 'line', path: '/dev/null', mode: 'commissioning' }],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await h?.stop();
    if (site) rmSync(site.dir, { recursive: true, force: true });
  });

  /** Starts the gateway on `site`, records `serials`, waits for every receipt, stops it; returns the seqs used. */
  async function shift(serials: string[], override: Partial<TestSite['config']['ledger']> = {}): Promise<number[]> {
    gateway = await startTestGateway({ ...site, config: { ...site.config, ledger: { ...site.config.ledger, ...override } } }, { noSerial: true });
    const outcomes = await Promise.all(serials.map((s) => gateway!.submitFrame('line', frame(s))));
    await gateway.whenDrained();
    const status = gateway.status();
    await gateway.stop();
    gateway = undefined;
    expect(status.outbox.rejected).toBe(0);
    expect(status.receipts?.accepted).toBe(serials.length);
    return outcomes.map((o) => (o.ok && o.kind === 'event' ? o.seq : -1));
  }

  const wipeDataFolder = () => rmSync(site.config.dataDir, { recursive: true, force: true });

  it("continues above the ledger's last seq, and after a clean restart without a gap", async () => {
    expect(await shift(['A1', 'A2', 'A3'])).toEqual([1, 2, 3]);
    wipeDataFolder();
    expect(await shift(['B1', 'B2'])).toEqual([4, 5]);
    // State kept: exact continuation from the reservation, no ledger needed.
    expect(await shift(['C1'], { httpUrl: 'http://127.0.0.1:9' })).toEqual([6]);
  });

  it('continues from a time-based seq when the ledger cannot be asked either', async () => {
    wipeDataFolder();
    const before = Date.now() * 1000;
    const seqs = await shift(['D1', 'D2'], { httpUrl: 'http://127.0.0.1:9' });
    expect(seqs[0]).toBeGreaterThanOrEqual(before);
    expect(seqs[1]).toBe(seqs[0]! + 1);
    // And the next loss continues above that, from the ledger's answer.
    wipeDataFolder();
    expect(await shift(['E1'])).toEqual([seqs[1]! + 1]);
  });

  it('left every event in the log once, under seqs never used twice, and nothing refused', async () => {
    const log = (await readLog(h)).filter((e) => e.device === DEVICE);
    expect(log).toHaveLength(9);
    const seqs = log.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    const rejections = await h.api('GET', '/v1/rejections');
    expect(rejections.status).toBe(200);
    expect(JSON.stringify(rejections.body)).not.toContain('SEQ_REUSED');
  });
});
