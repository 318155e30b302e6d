// The simulated supply chain the demo runs (firmware-sim startSupplyChain), with in-process gateways on real
// pseudo-terminals against a real ledger: every role records its custody steps, and the injected faults happen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSupplyChain, type SupplyChain } from '../../firmware-sim/supply-chain.js';
import { enrollAndStartGateway } from '../../gateway/launch-site.js';
import type { RunningGateway } from '../../gateway/gateway.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { quietLogger, readLog, waitFor } from '../gateway/gateway-fixtures.js';

describe('the simulated supply chain', () => {
  let h: LedgerHarness;
  let workDir: string;
  let chain: SupplyChain;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    h = await startLedgerHarness();
    workDir = mkdtempSync(join(tmpdir(), 'pedigree-sim-'));
    chain = await startSupplyChain({
      httpUrl: h.ledger.httpUrl,
      mqttUrl: h.ledger.mqttUrl,
      adminToken: h.adminToken,
      workDir,
      seed: 5,
      scanIntervalMs: 20,
      unitsPerCase: 4,
      faults: { cloneAtCycle: 1, unknownSerialAtCycle: 2, wrongLotAtCycle: 2, quirkRate: 0.1 },
      launchGateway: async (site) => {
        const g = await enrollAndStartGateway(site.configPath, { adminToken: h.adminToken, logger: quietLogger(), gateway: { reopenMs: 200 } });
        gateways.push(g);
        return g;
      },
    });
  });

  afterAll(async () => {
    await chain?.stop();
    await h?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('moves lots from the manufacturer through distributors to pharmacies, with the faults it was asked for', async () => {
    expect(chain.sites.map((s) => s.role)).toEqual(['manufacturer', 'distributor', 'distributor', 'pharmacy', 'pharmacy', 'pharmacy']);
    await chain.runCycle();
    await chain.runCycle();
    expect(chain.stats.cycles).toBe(2);
    expect(chain.stats.unanswered).toBe(0);
    expect(chain.stats.faults).toEqual(['cloned serial dispensed at a second pharmacy', 'unknown serial at the counter', 'wrong lot on the label']);
    await waitFor(() => (gateways.every((g) => g.status().outbox.pending === 0 && g.status().outbox.queued === 0) ? true : undefined));
    const log = await readLog(h);
    const steps = (bizStep: string) => log.filter((e) => e.event.bizStep === bizStep).length;
    expect(steps('commissioning')).toBe(8);
    expect(steps('packing')).toBe(8);
    expect(steps('shipping')).toBe(4); // manufacturer → distributor and distributor → pharmacy, per case
    expect(steps('receiving')).toBe(4); // one of them through the RFID dock door
    // 2 × half a case, the clone, the unknown serial and the wrong lot.
    expect(steps('dispensing')).toBe(4 + 3);
    // Cycle 1 goes to distributor 2 and pharmacy 2 (the clone to pharmacy 3), cycle 2 to distributor 1 and pharmacy 3.
    const devices = [...new Set(log.map((e) => e.device))].sort();
    expect(devices).toEqual(['gw-d1-dock1', 'gw-d2-dock1', 'gw-m1-line1', 'gw-p2-counter1', 'gw-p3-counter1']);
  });

  it('has a pack of a recalled lot refused at the counter', async () => {
    // Recall notices come from issue 6's ledger; here every gateway is handed the verified notice directly.
    const lot = (await readLog(h)).find((e) => e.event.bizStep === 'commissioning')!.event.ilmd['cbvmda:lotNumber'] as string;
    const gtin = (await readLog(h)).find((e) => e.event.bizStep === 'commissioning')!.event.epcList[0].split('/')[4] as string;
    for (const g of gateways) g.recalls.applyRecall('R-TEST', { id: 'R-TEST', scope: { gtin, lots: [lot] }, class: 'II', reason: 'test' });
    expect(await chain.scanPackAtCounter(lot)).toBe('nak');
    const counter = gateways.find((g) => g.status().refusedByCode.RECALLED === 1);
    expect(counter).toBeDefined();
  });
});
