// A simulated supply chain on real serial lines: manufacturers commission, pack and ship; distributors receive and
// ship on; pharmacies receive and dispense; with scanner quirks and injected faults (a cloned serial at two
// pharmacies, an unknown serial, a wrong lot, a recalled pack at the counter, a scanner unplugged mid-shift).
//
// Each site gets a gateway configuration (site.json) whose scanners are the host ends of socat pseudo-terminals; the
// simulator drives the device ends. Gateways are started by the caller's `launchGateway` (in-process, or a child
// process running `npm run gateway`): firmware-sim and gateway meet only at the serial byte boundary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimBarcodeScanner, type ScanAnswer } from './barcode-scanner.js';
import { seededRandom } from './frame-quirks.js';
import { makeGln, makeGtin, makeSscc, packAis, partyAis, purchaseOrderAis, ssccAis, ssccPureUri, yymmdd } from './gs1-labels.js';
import { openPtyPair, type PtyPair } from './pty-pair.js';
import { epcHex, SimRfidReader } from './rfid-reader.js';

export type SiteRole = 'manufacturer' | 'distributor' | 'pharmacy';
type StationMode = 'commissioning' | 'packing' | 'shipping' | 'receiving' | 'dispensing';

export interface SimStation {
  readonly name: string;
  readonly mode: StationMode;
  readonly kind: 'barcode' | 'rfid';
  readonly devicePath: string;
  readonly hostPath: string;
}

export interface SimSite {
  readonly name: string;
  readonly role: SiteRole;
  readonly device: string;
  readonly gln: string;
  readonly companyPrefix: string;
  readonly extension: string;
  /** site.json of the site's gateway (keyFile, credentialsFile, dataDir relative to its folder). */
  readonly configPath: string;
  readonly config: Record<string, unknown>;
  readonly stations: readonly SimStation[];
}

export interface LaunchedGateway {
  stop(): Promise<void>;
}

export interface SupplyChainOptions {
  readonly httpUrl: string;
  readonly mqttUrl: string;
  readonly adminToken: string;
  /** Site configurations, keys, outboxes and pseudo-terminal links go here. */
  readonly workDir: string;
  /** Enrols (if needed) and starts the gateway of one site; it must open the stations' hostPath serial ports. */
  readonly launchGateway: (site: SimSite) => Promise<LaunchedGateway>;
  readonly manufacturers?: number;
  readonly distributors?: number;
  readonly pharmacies?: number;
  readonly unitsPerCase?: number;
  /** Pause between two scans at one station (a person scanning). Default 150 ms. */
  readonly scanIntervalMs?: number;
  /** Fault injection; each fires once, at the cycle given (0 = never). */
  readonly faults?: {
    readonly cloneAtCycle?: number;
    readonly unknownSerialAtCycle?: number;
    readonly wrongLotAtCycle?: number;
    readonly unplugAtCycle?: number;
    /** Share of scans sent with a scanner quirk (double read, noise, truncation). Default 0.05. */
    readonly quirkRate?: number;
  };
  /** Issue a recall of the oldest lot still on a pharmacy shelf this long after start, then scan a pack of it. */
  readonly recallAfterMs?: number;
  /** How to issue it; default POST {httpUrl}/v1/recalls with the admin token. */
  readonly issueRecall?: (scope: { gtin: string; lots: string[] }) => Promise<string | undefined>;
  readonly onLog?: (message: string, detail?: Record<string, unknown>) => void;
  readonly seed?: number;
  /** TZ offset written into the sites' configuration. */
  readonly timeZoneOffset?: string;
}

export interface SupplyChainStats {
  cycles: number;
  scans: number;
  acks: number;
  naks: number;
  unanswered: number;
  faults: string[];
  byRole: Record<SiteRole, { scans: number; acks: number; naks: number }>;
}

export interface SupplyChain {
  readonly sites: readonly SimSite[];
  readonly stats: SupplyChainStats;
  /** Runs one cycle: a lot commissioned, packed, shipped, received and partly dispensed. */
  runCycle(): Promise<void>;
  /** Runs cycles until stop(). */
  run(): Promise<void>;
  /** Scans a pack of `lot` (still on a shelf) at a pharmacy counter; resolves with the gateway's answer. */
  scanPackAtCounter(lot: string): Promise<ScanAnswer | undefined>;
  stop(): Promise<void>;
}

interface ShelfPack {
  readonly gtin: string;
  readonly serial: string;
  readonly lot: string;
  readonly expiry: string;
}

interface Station {
  readonly site: SimSite;
  readonly spec: SimStation;
  pty: PtyPair;
  device: SimBarcodeScanner | SimRfidReader | undefined;
}

const ROLE_EXT: Record<SiteRole, string> = { manufacturer: 'line1', distributor: 'dock1', pharmacy: 'counter1' };

function stationsFor(role: SiteRole): { name: string; mode: StationMode; kind: 'barcode' | 'rfid' }[] {
  switch (role) {
    case 'manufacturer':
      return [
        { name: 'commission', mode: 'commissioning', kind: 'barcode' },
        { name: 'pack', mode: 'packing', kind: 'barcode' },
        { name: 'ship', mode: 'shipping', kind: 'barcode' },
      ];
    case 'distributor':
      return [
        { name: 'receive', mode: 'receiving', kind: 'barcode' },
        { name: 'rfid-in', mode: 'receiving', kind: 'rfid' },
        { name: 'ship', mode: 'shipping', kind: 'barcode' },
      ];
    case 'pharmacy':
      return [
        { name: 'receive', mode: 'receiving', kind: 'barcode' },
        { name: 'dispense', mode: 'dispensing', kind: 'barcode' },
      ];
  }
}

export async function startSupplyChain(options: SupplyChainOptions): Promise<SupplyChain> {
  const log = options.onLog ?? (() => {});
  const random = seededRandom(options.seed ?? Date.now() % 2 ** 31);
  const run = Date.now().toString(36).toUpperCase(); // serials and lots unique per run, also on a kept ledger
  const interval = options.scanIntervalMs ?? 150;
  const unitsPerCase = options.unitsPerCase ?? 6;
  const quirkRate = options.faults?.quirkRate ?? 0.05;
  const stats: SupplyChainStats = {
    cycles: 0,
    scans: 0,
    acks: 0,
    naks: 0,
    unanswered: 0,
    faults: [],
    byRole: { manufacturer: { scans: 0, acks: 0, naks: 0 }, distributor: { scans: 0, acks: 0, naks: 0 }, pharmacy: { scans: 0, acks: 0, naks: 0 } },
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  mkdirSync(options.workDir, { recursive: true });

  // Sites and their gateway configurations.
  const sites: SimSite[] = [];
  const counts: [SiteRole, number, string][] = [
    ['manufacturer', options.manufacturers ?? 1, '40123'],
    ['distributor', options.distributors ?? 2, '40987'],
    ['pharmacy', options.pharmacies ?? 3, '40555'],
  ];
  for (const [role, n, base] of counts) {
    for (let i = 1; i <= n; i++) {
      const companyPrefix = `${base}${String(i).padStart(2, '0')}`;
      const gln = makeGln(companyPrefix, 0);
      const short = `${role[0]}${i}`;
      const device = `gw-${short}-${ROLE_EXT[role]}`;
      const dir = join(options.workDir, device);
      mkdirSync(dir, { recursive: true });
      const stations = stationsFor(role).map((s) => ({
        ...s,
        devicePath: join(options.workDir, 'tty', `${short}-${s.name}-dev`),
        hostPath: join(options.workDir, 'tty', `${short}-${s.name}-host`),
      }));
      const config = {
        device,
        site: {
          party: gln,
          location: { gln, extension: ROLE_EXT[role] },
          timeZoneOffset: options.timeZoneOffset ?? '+00:00',
          name: `${role[0]!.toUpperCase()}${role.slice(1)} ${i}`,
          role,
        },
        ledger: { mqttUrl: options.mqttUrl, httpUrl: options.httpUrl },
        scanners: stations.map((s) => ({
          name: s.name,
          path: s.hostPath,
          mode: s.mode,
          kind: s.kind,
          // The RFID dock door receives from the manufacturer unless a label says otherwise.
          ...(s.kind === 'rfid' ? { counterparty: { party: makeGln('4012301', 0) } } : {}),
        })),
      };
      const configPath = join(dir, 'site.json');
      writeFileSync(configPath, JSON.stringify(config, null, 2));
      sites.push({ name: `${role} ${i}`, role, device, gln, companyPrefix, extension: ROLE_EXT[role], configPath, config, stations });
    }
  }

  // Serial lines, gateways, simulated devices.
  const stations = new Map<string, Station>();
  for (const site of sites) {
    for (const spec of site.stations) {
      const pty = await openPtyPair({ devicePath: spec.devicePath, hostPath: spec.hostPath });
      stations.set(`${site.device}/${spec.name}`, { site, spec, pty, device: undefined });
    }
  }
  const gateways: LaunchedGateway[] = [];
  for (const site of sites) {
    gateways.push(await options.launchGateway(site));
    log('gateway started', { site: site.name, device: site.device });
  }
  const openDevice = async (st: Station) => {
    st.device =
      st.spec.kind === 'rfid'
        ? await SimRfidReader.open({ path: st.spec.devicePath })
        : await SimBarcodeScanner.open({ path: st.spec.devicePath, seed: Math.floor(random() * 1e9), answerTimeoutMs: 20_000 });
  };
  for (const st of stations.values()) await openDevice(st);
  // Give the gateways a moment to open their ends of the lines.
  await sleep(1500);

  const station = (site: SimSite, name: string) => stations.get(`${site.device}/${name}`) as Station;
  const byRole = (role: SiteRole) => sites.filter((s) => s.role === role);
  let stopped = false;
  let unplugged: Promise<void> | undefined;

  async function scan(st: Station, ais: Parameters<SimBarcodeScanner['scan']>[0], quirky = true): Promise<ScanAnswer | undefined> {
    if (stopped || !(st.device instanceof SimBarcodeScanner)) return undefined;
    const roll = random();
    const quirks =
      quirky && roll < quirkRate ? (roll < quirkRate / 3 ? { doubleRead: true } : roll < (2 * quirkRate) / 3 ? { noise: 3 } : { truncated: true }) : {};
    const answers = await st.device.scan(ais, quirks);
    const role = stats.byRole[st.site.role];
    for (const a of answers) {
      stats.scans += 1;
      role.scans += 1;
      if (a === 'ack') {
        stats.acks += 1;
        role.acks += 1;
      } else if (a === 'nak') {
        stats.naks += 1;
        role.naks += 1;
      } else stats.unanswered += 1;
    }
    if ('noise' in quirks || 'truncated' in quirks) {
      // The operator sees the bad beep and scans again.
      await sleep(interval);
      return scan(st, ais, false);
    }
    await sleep(interval);
    return answers[0];
  }

  const manufacturer = byRole('manufacturer');
  const distributors = byRole('distributor');
  const pharmacies = byRole('pharmacy');
  const products = manufacturer.map((m) => [makeGtin(m.companyPrefix, 1001), makeGtin(m.companyPrefix, 1002)]);
  const shelves = new Map<string, ShelfPack[]>(pharmacies.map((p) => [p.device, []]));
  let caseNumber = Number.parseInt(run.slice(-5), 36) % 1_000_000;
  let serialNumber = 0;
  const fault = (name: string, detail: Record<string, unknown> = {}) => {
    stats.faults.push(name);
    log(`fault injected: ${name}`, detail);
  };

  async function unplug(st: Station): Promise<void> {
    fault('scanner unplugged', { site: st.site.name, station: st.spec.name });
    await st.device?.close();
    await st.pty.stop();
    await sleep(3000);
    st.pty = await openPtyPair({ devicePath: st.spec.devicePath, hostPath: st.spec.hostPath });
    await openDevice(st);
    await sleep(1500); // the gateway reopens the port within its retry interval
    log('scanner plugged back in', { site: st.site.name, station: st.spec.name });
  }

  async function runCycle(): Promise<void> {
    const cycle = stats.cycles + 1;
    const mi = cycle % manufacturer.length;
    const m = manufacturer[mi]!;
    const gtin = products[mi]![cycle % 2]!;
    const lot = `L${run}-${cycle}`;
    const expiry = yymmdd(new Date(Date.now() + 540 * 86_400_000));
    const d = distributors[cycle % distributors.length]!;
    const p = pharmacies[cycle % pharmacies.length]!;
    const sscc = makeSscc(m.companyPrefix, caseNumber++);
    const packs: ShelfPack[] = Array.from({ length: unitsPerCase }, () => ({ gtin, serial: `${run}${(serialNumber++).toString(36).toUpperCase()}`, lot, expiry }));
    const label = (pack: ShelfPack, lotOverride?: string) => packAis({ gtin: pack.gtin, serial: pack.serial, lot: lotOverride ?? pack.lot, expiry: pack.expiry });

    // Manufacturer: commission, pack into a case, ship to the distributor with a purchase order.
    for (const pack of packs) await scan(station(m, 'commission'), label(pack));
    await scan(station(m, 'pack'), ssccAis(sscc), false);
    for (const pack of packs) await scan(station(m, 'pack'), label(pack));
    await sleep(Math.max(0, 600 - interval));
    await scan(station(m, 'pack'), ssccAis(sscc), false);
    await scan(station(m, 'ship'), partyAis(d.gln), false);
    await scan(station(m, 'ship'), purchaseOrderAis(`PO-${run}-${cycle}`), false);
    await scan(station(m, 'ship'), ssccAis(sscc), false);

    // Distributor: receive (every other case through the RFID dock door), ship on to the pharmacy.
    if (cycle % 2 === 0) {
      const rfid = station(d, 'rfid-in').device;
      if (rfid instanceof SimRfidReader) await rfid.inField(epcHex(ssccPureUri(m.companyPrefix, caseNumber - 1), 'sscc-96', 0), 800, 100);
    } else {
      await scan(station(d, 'receive'), partyAis(m.gln), false);
      await scan(station(d, 'receive'), ssccAis(sscc), false);
    }
    await scan(station(d, 'ship'), partyAis(p.gln), false);
    await scan(station(d, 'ship'), ssccAis(sscc), false);

    // Pharmacy: receive the case, dispense half of it; the rest stays on the shelf.
    await scan(station(p, 'receive'), partyAis(d.gln), false);
    await scan(station(p, 'receive'), ssccAis(sscc), false);
    const shelf = shelves.get(p.device)!;
    const dispensed = packs.slice(0, Math.ceil(packs.length / 2));
    shelf.push(...packs.slice(dispensed.length));
    if (options.faults?.unplugAtCycle === cycle) unplugged = unplug(station(p, 'dispense'));
    await unplugged;
    for (const pack of dispensed) await scan(station(p, 'dispense'), label(pack));

    // Faults.
    if (options.faults?.cloneAtCycle === cycle) {
      const other = pharmacies[(cycle + 1) % pharmacies.length]!;
      fault('cloned serial dispensed at a second pharmacy', { serial: dispensed[0]!.serial, pharmacies: [p.name, other.name] });
      await scan(station(other, 'dispense'), label(dispensed[0]!), false);
    }
    if (options.faults?.unknownSerialAtCycle === cycle) {
      const unknown: ShelfPack = { gtin, serial: `X${run}UNKNOWN${cycle}`, lot, expiry };
      fault('unknown serial at the counter', { serial: unknown.serial });
      await scan(station(p, 'dispense'), label(unknown), false);
    }
    if (options.faults?.wrongLotAtCycle === cycle && shelf.length > 0) {
      const pack = shelf.shift()!;
      fault('wrong lot on the label', { serial: pack.serial, lot: `${pack.lot}X` });
      await scan(station(p, 'dispense'), label(pack, `${pack.lot}X`), false);
    }
    // Shelves stay small: the oldest packs are dispensed as new ones arrive.
    while (shelf.length > unitsPerCase * 3) {
      const pack = shelf.shift()!;
      await scan(station(p, 'dispense'), label(pack));
    }
    stats.cycles = cycle;
    log('cycle done', { cycle, lot, sscc, distributor: d.name, pharmacy: p.name });
  }

  async function scanPackAtCounter(lot: string): Promise<ScanAnswer | undefined> {
    for (const p of pharmacies) {
      const shelf = shelves.get(p.device)!;
      const i = shelf.findIndex((pack) => pack.lot === lot);
      if (i < 0) continue;
      const [pack] = shelf.splice(i, 1);
      const answer = await scan(station(p, 'dispense'), packAis({ gtin: pack!.gtin, serial: pack!.serial, lot: pack!.lot, expiry: pack!.expiry }), false);
      log(`recalled pack scanned at the counter: ${answer === 'nak' ? 'refused' : answer === 'ack' ? 'NOT refused' : 'no answer'}`, { pharmacy: p.name, serial: pack!.serial, lot });
      return answer;
    }
    return undefined;
  }

  const issueRecall =
    options.issueRecall ??
    (async (scope: { gtin: string; lots: string[] }) => {
      const res = await fetch(new URL('/v1/recalls', options.httpUrl), {
        method: 'POST',
        headers: { Authorization: `Bearer ${options.adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ scope, class: 'II', reason: 'Simulated recall: out-of-specification assay', instructions: 'Quarantine and return' }),
      });
      const body = (await res.json().catch(() => undefined)) as { id?: string } | undefined;
      if (!res.ok) {
        log('recall not issued', { status: res.status });
        return undefined;
      }
      return body?.id;
    });

  let recallTimer: NodeJS.Timeout | undefined;
  if (options.recallAfterMs !== undefined) {
    recallTimer = setTimeout(() => {
      void (async () => {
        const pack = [...shelves.values()].flat()[0];
        if (!pack) return;
        const id = await issueRecall({ gtin: pack.gtin, lots: [pack.lot] });
        if (id === undefined) return;
        fault('recall issued; a pack of the lot is scanned at the counter', { recall: id, lot: pack.lot });
        await sleep(2000); // the retained notice reaches the gateways
        await scanPackAtCounter(pack.lot);
      })().catch((e: unknown) => log('recall step failed', { err: (e as Error).message }));
    }, options.recallAfterMs);
  }

  let running: Promise<void> | undefined;
  return {
    sites,
    stats,
    runCycle,
    scanPackAtCounter,
    run() {
      running ??= (async () => {
        while (!stopped) await runCycle();
      })();
      return running;
    },
    async stop() {
      stopped = true;
      if (recallTimer) clearTimeout(recallTimer);
      await running?.catch(() => undefined);
      for (const st of stations.values()) await st.device?.close();
      for (const g of gateways) await g.stop();
      for (const st of stations.values()) await st.pty.stop();
    },
  };
}
