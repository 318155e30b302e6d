// Acceptance: serial bytes on pseudo-terminals → gateways (serialport) → MQTT → a real ledger. Every acknowledged
// read is one log entry with the right bizStep, location and lot; bad frames are refused and never published.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimBarcodeScanner, type ScanAnswer } from '../../firmware-sim/barcode-scanner.js';
import { makeGln, makeGtin, makeSscc, packAis, partyAis, purchaseOrderAis, ssccAis, ssccPureUri } from '../../firmware-sim/gs1-labels.js';
import { openPtyPair, type PtyPair } from '../../firmware-sim/pty-pair.js';
import { epcHex, SimRfidReader } from '../../firmware-sim/rfid-reader.js';
import type { RunningGateway } from '../../gateway/gateway.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { enrollTestSite, readLog, startTestGateway, waitFor, type LogEntry, type TestSite } from '../gateway/gateway-fixtures.js';

const M_PREFIX = '4012345';
const D_PREFIX = '4098765';
const P_PREFIX = '4055555';
const M_GLN = makeGln(M_PREFIX, 0);
const D_GLN = makeGln(D_PREFIX, 0);
const P_GLN = makeGln(P_PREFIX, 0);
const GTIN = makeGtin(M_PREFIX, 12345);
const unitDl = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const ssccDl = (sscc: string) => `https://id.gs1.org/00/${sscc}`;

describe('from serial bytes to the ledger', () => {
  let h: LedgerHarness;
  let ptyDir: string;
  const ptys: PtyPair[] = [];
  const gateways: RunningGateway[] = [];
  const devices: (SimBarcodeScanner | SimRfidReader)[] = [];
  let sites: Record<'m' | 'd' | 'p', TestSite>;
  let scanners: Record<string, SimBarcodeScanner>;
  let rfid: SimRfidReader;

  const pty = async (name: string) => {
    const pair = await openPtyPair({ devicePath: join(ptyDir, `${name}-dev`), hostPath: join(ptyDir, `${name}-host`) });
    ptys.push(pair);
    return pair;
  };

  beforeAll(async () => {
    h = await startLedgerHarness();
    ptyDir = mkdtempSync(join(tmpdir(), 'pedigree-pty-'));
    const names = ['m-commission', 'm-pack', 'm-ship', 'd-receive', 'd-rfid', 'd-ship', 'p-receive', 'p-dispense'];
    const pairs = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await pty(n)] as const)));
    const host = (n: string) => pairs[n]!.hostPath;
    sites = {
      m: await enrollTestSite(h, {
        device: 'gw-m-line1',
        site: { party: M_GLN, location: { gln: M_GLN, extension: 'line1' }, role: 'manufacturer', name: 'Maker' },
        scanners: [
          { name: 'commission', path: host('m-commission'), mode: 'commissioning' },
          { name: 'pack', path: host('m-pack'), mode: 'packing' },
          { name: 'ship', path: host('m-ship'), mode: 'shipping' },
        ],
      }),
      d: await enrollTestSite(h, {
        device: 'gw-d-dock1',
        site: { party: D_GLN, location: { gln: D_GLN, extension: 'dock1' }, role: 'distributor', name: 'Wholesaler' },
        scanners: [
          { name: 'receive', path: host('d-receive'), mode: 'receiving' },
          { name: 'rfid', path: host('d-rfid'), mode: 'receiving', kind: 'rfid', counterparty: { party: M_GLN } },
          { name: 'ship', path: host('d-ship'), mode: 'shipping' },
        ],
      }),
      p: await enrollTestSite(h, {
        device: 'gw-p-counter1',
        site: { party: P_GLN, location: { gln: P_GLN, extension: 'counter1' }, role: 'pharmacy', name: 'Pharmacy' },
        scanners: [
          { name: 'receive', path: host('p-receive'), mode: 'receiving', counterparty: { party: D_GLN } },
          { name: 'dispense', path: host('p-dispense'), mode: 'dispensing' },
        ],
      }),
    };
    for (const site of Object.values(sites)) gateways.push(await startTestGateway(site));
    await waitFor(() => gateways.every((g) => g.status().scanners.every((s) => s.connected) && g.status().link === 'online'));
    scanners = {};
    for (const n of names.filter((n) => n !== 'd-rfid')) {
      const s = await SimBarcodeScanner.open({ path: pairs[n]!.devicePath, seed: n.length });
      scanners[n] = s;
      devices.push(s);
    }
    rfid = await SimRfidReader.open({ path: pairs['d-rfid']!.devicePath, format: 'epc-fields' });
    devices.push(rfid);
  });

  afterAll(async () => {
    for (const d of devices) await d.close();
    for (const g of gateways) await g.stop();
    for (const p of ptys) await p.stop();
    await h?.stop();
    if (ptyDir) rmSync(ptyDir, { recursive: true, force: true });
    for (const s of Object.values(sites ?? {})) rmSync(s.dir, { recursive: true, force: true });
  });

  it('records every acknowledged read once, with its bizStep, location and lot, and nothing else', async () => {
    const S1 = makeSscc(M_PREFIX, 1);
    const S2 = makeSscc(M_PREFIX, 2);
    const serials = Array.from({ length: 15 }, (_, i) => `SN${1000 + i}`);
    const label = (serial: string) => packAis({ gtin: GTIN, serial, lot: 'LOT-A1', expiry: '281231' });
    const one = async (answers: Promise<ScanAnswer[]>) => {
      const a = await answers;
      return a[0];
    };
    const sc = scanners;

    // Manufacturer: commission 15 packs (one double read), plus garbage that must be refused.
    for (const [i, serial] of serials.entries()) {
      const answers = await sc['m-commission']!.scan(label(serial), { doubleRead: i === 2 });
      expect(answers.every((a) => a === 'ack')).toBe(true);
    }
    expect(await sc['m-commission']!.scan(label('SN-NOISY'), { noise: 7 })).toEqual(['nak']);
    expect(await sc['m-commission']!.scan(label('SN-CUT'), { truncated: true })).toEqual(['nak']);
    expect(await sc['m-commission']!.sendRaw(']d20109506000134353211\r')).toEqual(['nak']); // wrong GTIN check digit

    // Pack 10 into case S1 and 5 into case S2: open, units, close.
    for (const [sscc, units] of [
      [S1, serials.slice(0, 10)],
      [S2, serials.slice(10)],
    ] as const) {
      expect(await one(sc['m-pack']!.scan(ssccAis(sscc)))).toBe('ack');
      for (const serial of units) expect(await one(sc['m-pack']!.scan(label(serial)))).toBe('ack');
      await new Promise((r) => setTimeout(r, 550)); // beyond the de-dup window: this scan of the SSCC closes it
      expect(await one(sc['m-pack']!.scan(ssccAis(sscc)))).toBe('ack');
    }

    // Ship both cases to the distributor: its party label, a purchase order, the cases.
    expect(await one(sc['m-ship']!.scan(partyAis(D_GLN)))).toBe('ack');
    expect(await one(sc['m-ship']!.scan(purchaseOrderAis('PO-77')))).toBe('ack');
    expect(await one(sc['m-ship']!.scan(ssccAis(S1)))).toBe('ack');
    expect(await one(sc['m-ship']!.scan(ssccAis(S2)))).toBe('ack');

    // Distributor: S1 by barcode (source scanned), S2 by the dock-door RFID reader (tag read over and over).
    expect(await one(sc['d-receive']!.scan(partyAis(M_GLN)))).toBe('ack');
    expect(await one(sc['d-receive']!.scan(ssccAis(S1)))).toBe('ack');
    await rfid.inField(epcHex(ssccPureUri(M_PREFIX, 2), 'sscc-96', 0), 600, 40);
    expect(rfid.lines).toBeGreaterThan(5);
    // Ship S1 on to the pharmacy.
    expect(await one(sc['d-ship']!.scan(partyAis(P_GLN)))).toBe('ack');
    expect(await one(sc['d-ship']!.scan(ssccAis(S1)))).toBe('ack');

    // Pharmacy: receive S1, dispense three packs.
    expect(await one(sc['p-receive']!.scan(ssccAis(S1)))).toBe('ack');
    for (const serial of serials.slice(0, 3)) expect(await one(sc['p-dispense']!.scan(label(serial)))).toBe('ack');
    // A case at the dispensing counter is refused locally.
    expect(await one(sc['p-dispense']!.scan(ssccAis(S2)))).toBe('nak');

    await waitFor(() => gateways.every((g) => g.status().reads.frames > 0 && g.status().outbox.pending === 0 && g.status().outbox.inFlight === 0) || undefined);
    // The RFID reads are in too (one entry however many reports).
    await waitFor(async () => ((await readLog(h)).some((e) => e.event.bizStep === 'receiving' && e.event.epcList?.includes(ssccDl(S2))) ? true : undefined));
    await Promise.all(gateways.map((g) => g.whenDrained()));

    const log = await readLog(h);
    const count = (pred: (e: LogEntry) => boolean) => log.filter(pred).length;
    const where = (site: TestSite) => (e: LogEntry) => e.event.readPoint?.id === site.location;

    expect(log).toHaveLength(15 + 15 + 2 + 2 + 1 + 1 + 3);
    for (const serial of serials) {
      const commissioned = log.filter((e) => e.event.bizStep === 'commissioning' && e.event.epcList?.includes(unitDl(serial)));
      expect(commissioned).toHaveLength(1);
      expect(commissioned[0]!.event.ilmd).toEqual({ 'cbvmda:lotNumber': 'LOT-A1', 'cbvmda:itemExpirationDate': '2028-12-31' });
      expect(where(sites.m)(commissioned[0]!)).toBe(true);
      expect(commissioned[0]!.device).toBe('gw-m-line1');
      expect(count((e) => e.event.type === 'AggregationEvent' && e.event.childEPCs?.includes(unitDl(serial)))).toBe(1);
    }
    const packedIntoS1 = log.filter((e) => e.event.bizStep === 'packing' && e.event.parentID === ssccDl(S1));
    expect(packedIntoS1).toHaveLength(10);
    const shipped = log.filter((e) => e.event.bizStep === 'shipping' && where(sites.m)(e));
    expect(shipped.map((e) => e.event.epcList[0]).sort()).toEqual([ssccDl(S1), ssccDl(S2)].sort());
    for (const e of shipped) {
      expect(e.event.destinationList).toContainEqual({ type: 'owning_party', destination: `https://id.gs1.org/417/${D_GLN}` });
      expect(e.event.bizTransactionList).toEqual([{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:${D_GLN}:PO-77` }]);
    }
    const received = log.filter((e) => e.event.bizStep === 'receiving' && where(sites.d)(e));
    expect(received).toHaveLength(2);
    for (const e of received) expect(e.event.sourceList).toContainEqual({ type: 'owning_party', source: `https://id.gs1.org/417/${M_GLN}` });
    expect(count((e) => e.event.bizStep === 'shipping' && where(sites.d)(e))).toBe(1);
    expect(count((e) => e.event.bizStep === 'receiving' && where(sites.p)(e))).toBe(1);
    const dispensed = log.filter((e) => e.event.bizStep === 'dispensing');
    expect(dispensed.map((e) => e.event.epcList[0])).toEqual(serials.slice(0, 3).map(unitDl));
    expect(dispensed.every(where(sites.p))).toBe(true);
    // Per device, the log holds seqs 1..n, each once.
    for (const device of ['gw-m-line1', 'gw-d-dock1', 'gw-p-counter1']) {
      const seqs = log.filter((e) => e.device === device).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
    // Refusals were local: counted at the gateway, nothing rejected by the ledger.
    expect(gateways[0]!.status().reads.refused).toBe(3);
    expect(gateways.every((g) => g.status().outbox.rejected === 0)).toBe(true);
    // The gateways follow the ledger's signed checkpoint.
    await waitFor(() => (gateways.every((g) => (g.status().checkpointSize ?? 0) > 0) ? true : undefined));
  });
});
