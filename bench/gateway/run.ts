// Gateway benchmark (issue 5): reads/s from the serial line to the durable outbox, outbox drain rate into the server
// after an outage, and the gateway's RSS idle, in a read burst and while draining. Prints a table and one JSON line.
//
//   npm run bench -- gateway [--reads 20000] [--ledger echo|real|pg|both|all] [--runtime bundle|tsx|both]
//                            [--node-flags "…"] [--echo-receipts batch|single] [--warm 5000]
//
// The gateway runs as its own process the way an operator runs it: `bundle` is `npm run gateway:start` (the
// esbuild bundle of `npm run build:gateway` under plain node with GATEWAY_NODE_FLAGS; --node-flags replaces those),
// `tsx` is `npm run gateway` (TypeScript transformed in-process). A simulated scanner writes frames to a socat
// pseudo-terminal with the ACK/NAK handshake; the gateway reaches the broker through a TCP proxy (the cable).
//   1. idle: connected, nothing to do (RSS after settling); then --warm reads online (default 5,000), receipted
//      before the outage, so the ledger drains into is a running one (its code compiled, as in production) and
//      not one that meets its first event in the drain;
//   2. fill: the cable is cut, N reads come in; reads/s is first frame written → last ACK (each ACK is after fsync);
//   3. drain: the cable is restored; drain/s is the gateway's reconnection → its last receipt (from its own log:
//      the 'connected' line and lastReceipt.at of the first status line with an empty outbox); the reconnect
//      back-off before it is reported apart;
//   4. online: N/2 more reads while connected, published and receipted as they come (RSS peak).
// Ledgers: `real` is the ledger (server/ledger.ts: Aedes + PGlite, the embedded default) in its own process: the rate
// into the server; `pg` the same ledger on the production stores (its own PostgreSQL database and Mosquitto process,
// bench/lib/production-stores.ts); `echo` (echo-ledger.ts) signs an `accepted` receipt at once: the gateway's own
// ceiling. `both` is echo and real; `all` adds pg.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SimBarcodeScanner } from '../../firmware-sim/barcode-scanner.js';
import { openPtyPair } from '../../firmware-sim/pty-pair.js';
import { buildGatewayBundle, GATEWAY_NODE_FLAGS } from '../../gateway/build-bundle.js';
import { generateDeviceKey, saveCredentials, saveVerifierKey } from '../../gateway/device-files.js';
import { enrollTestSite, REPO_ROOT, waitForLog } from '../../test/gateway/gateway-fixtures.js';
import { spawnLedgerChild, type LedgerChild } from '../../test/gateway/ledger-child.js';
import { startProductionStores } from '../lib/production-stores.js';
import { startTcpCable } from '../../test/gateway/tcp-cable.js';
import { BENCH_GLN, BENCH_GTIN, fmt, processCpuSeconds, tempDir } from './bench-setup.js';
import { startEchoLedger, type EchoLedger } from './echo-ledger.js';

const { values } = parseArgs({
  options: {
    reads: { type: 'string', default: '20000' },
    /** Reads made online before the outage (the ledger warms up on them); 0 for a ledger that starts cold. */
    warm: { type: 'string', default: '5000' },
    ledger: { type: 'string', default: 'both' },
    runtime: { type: 'string', default: 'bundle' },
    /** V8 flags for the bundled gateway instead of GATEWAY_NODE_FLAGS ("" for none: `--node-flags=`). */
    'node-flags': { type: 'string' },
    'echo-receipts': { type: 'string', default: 'batch' },
    /** The gateway's outbox.maxInFlight (envelopes published and not yet answered); default: the gateway's own. */
    'in-flight': { type: 'string' },
  },
});
const READS = Number(values.reads);
const BUNDLE_FLAGS = values['node-flags'] !== undefined ? values['node-flags'].split(/\s+/).filter(Boolean) : [...GATEWAY_NODE_FLAGS];

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function sampleRss(pid: number): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    const r = rssMb(pid);
    if (r > peak) peak = r;
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid) || 0);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StatusLine {
  time?: number;
  status?: {
    link?: string;
    outbox?: { pending: number; inFlight: number; queued: number };
    lastReceipt?: { at: string };
    receipts?: { accepted: number; duplicate: number; rejected: number };
  };
}

const drainedStatus = (l: Record<string, unknown>) => {
  const s = (l as StatusLine).status;
  return s?.link === 'online' && s.outbox?.pending === 0 && s.outbox.inFlight === 0 && s.outbox.queued === 0;
};

interface RunResult {
  ledger: string;
  runtime: string;
  nodeFlags: string[];
  readsPerSecond: number;
  drainPerSecond: number;
  /** Cable restored → the gateway's next connection attempt succeeded (its reconnect back-off, up to 10 s). */
  reconnectSeconds: number;
  rssIdleMb: number;
  rssFillPeakMb: number;
  rssDrainPeakMb: number;
  rssOnlinePeakMb: number;
  /** Per phase, the highest V8 heap (reserved) and external (Buffers) figures the gateway reported. */
  heapPeaks: Record<string, { heapTotalMb: number; externalMb: number }>;
  onlineReadsPerSecond: number;
  gatewayCpuFill: number;
  gatewayCpuDrain: number;
  ledgerCpuDrain: number;
  acked: number;
  rejected: number;
}

async function scanAll(scanner: SimBarcodeScanner, prefix: string, n: number): Promise<number> {
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      scanner.scan([
        { ai: '01', value: BENCH_GTIN },
        { ai: '17', value: '291231' },
        { ai: '10', value: 'BENCH-LOT' },
        { ai: '21', value: `${prefix}${i}` },
      ]),
    ),
  );
  return answers.filter((a) => a[0] === 'ack').length;
}

type LedgerKind = 'echo' | 'real' | 'pg';

async function runOnce(kind: LedgerKind, runtime: 'tsx' | 'bundle', bundlePath: string | undefined): Promise<RunResult> {
  const work = tempDir(`gw-${kind}`);
  let ledger: LedgerChild | undefined;
  let echo: EchoLedger | undefined;
  let mqttUrl: string;
  const stores = kind === 'pg' ? await startProductionStores(work) : undefined;
  if (kind !== 'echo') {
    ledger = await spawnLedgerChild({ PEDIGREE_LOG_LEVEL: 'error', ...stores?.env });
    mqttUrl = ledger.mqttUrl;
  } else {
    echo = await startEchoLedger({ receipts: values['echo-receipts'] === 'single' ? 'single' : 'batch' });
    mqttUrl = echo.mqttUrl;
  }
  const cable = await startTcpCable(new URL(mqttUrl));
  const pty = await openPtyPair({ devicePath: join(work, 'scanner-dev'), hostPath: join(work, 'scanner-host') });
  const spec = {
    device: `gw-bench-${kind}`,
    site: { party: BENCH_GLN, location: { gln: BENCH_GLN, extension: 'bench' }, role: 'manufacturer' as const },
    ledger: { mqttUrl: cable.url },
    scanners: [{ name: 'line', path: pty.hostPath, mode: 'commissioning' as const }],
  };
  let configPath: string;
  if (ledger) {
    configPath = (await enrollTestSite(ledger, spec, join(work, 'site'))).configPath;
    await stores?.admitEnrolledDevices();
  } else {
    const dir = join(work, 'site');
    mkdirSync(dir, { recursive: true });
    configPath = join(dir, 'site.json');
    writeFileSync(configPath, JSON.stringify(spec));
    generateDeviceKey(join(dir, 'device.key'));
    saveCredentials(join(dir, 'mqtt-credentials.json'), { username: spec.device, password: 'x' });
    saveVerifierKey(join(dir, 'ledger.vkey'), echo!.verifierKey);
  }
  if (values['in-flight'] !== undefined) {
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { outbox?: Record<string, unknown> };
    config.outbox = { ...config.outbox, maxInFlight: Number(values['in-flight']) };
    writeFileSync(configPath, JSON.stringify(config));
  }
  const nodeFlags = runtime === 'bundle' ? BUNDLE_FLAGS : [];
  const args = runtime === 'bundle' ? [...nodeFlags, bundlePath!] : ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts')];
  const child: ChildProcess = spawn(process.execPath, [...args, '--config', configPath, '--json', '--status-interval', '200'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PEDIGREE_GATEWAY_LOG_LEVEL: 'info' },
  });
  const pid = child.pid!;
  let phase = 'start';
  const heapPeaks: RunResult['heapPeaks'] = {};
  let lineBuffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    lineBuffer += d.toString();
    let nl: number;
    while ((nl = lineBuffer.indexOf('\n')) >= 0) {
      const line = lineBuffer.slice(0, nl);
      lineBuffer = lineBuffer.slice(nl + 1);
      if (!line.includes('"memory"')) continue;
      try {
        const m = (JSON.parse(line) as { status?: { memory?: { heapTotalMb: number; externalMb: number } } }).status?.memory;
        if (!m) continue;
        const p = (heapPeaks[phase] ??= { heapTotalMb: 0, externalMb: 0 });
        p.heapTotalMb = Math.max(p.heapTotalMb, m.heapTotalMb);
        p.externalMb = Math.max(p.externalMb, m.externalMb);
      } catch {
        // not JSON
      }
    }
  });
  await Promise.all([
    waitForLog(child, (l) => l.msg === 'scanner connected', 60_000),
    waitForLog(child, (l) => l.msg === 'connected to the ledger broker', 60_000),
  ]);

  // 1. Idle, connected.
  phase = 'idle';
  await sleep(3000);
  const idleRss = sampleRss(pid);
  await sleep(2000);
  const rssIdleMb = idleRss.stop();

  const scanner = await SimBarcodeScanner.open({ path: pty.devicePath, answerTimeoutMs: 300_000 });
  const warmReads = Number(values.warm);
  if (warmReads > 0) {
    phase = 'warm';
    const warmDrained = waitForLog(child, (l) => drainedStatus(l) && ((l as StatusLine).status?.receipts?.accepted ?? 0) >= warmReads, 600_000);
    await scanAll(scanner, `${kind}${runtime}W`, warmReads);
    await warmDrained;
  }

  // 2. Fill: N reads through the serial line into the outbox, network down.
  await cable.cut();
  await waitForLog(child, (l) => (l as StatusLine).status?.link !== undefined && (l as StatusLine).status?.link !== 'online', 30_000);
  phase = 'fill';
  const fillRss = sampleRss(pid);
  const cpu0 = processCpuSeconds(pid);
  const t0 = performance.now();
  const acked = await scanAll(scanner, `${kind}${runtime}F`, READS);
  const fillSeconds = (performance.now() - t0) / 1000;
  const cpu1 = processCpuSeconds(pid);
  const rssFillPeakMb = fillRss.stop();

  // 3. Drain: plug the cable back in.
  phase = 'drain';
  const drainRss = sampleRss(pid);
  const ledgerPid = ledger?.process.pid;
  const l0 = ledgerPid ? processCpuSeconds(ledgerPid) : Number.NaN;
  const restoredAt = Date.now();
  const connected = waitForLog(child, (l) => l.msg === 'connected to the ledger broker', 600_000);
  const drained = waitForLog(child, drainedStatus, 600_000);
  await cable.restore();
  const connectedAt = (await connected).time as number;
  const drainedLine = (await drained) as unknown as StatusLine;
  const rssDrainPeakMb = drainRss.stop();
  const cpu2 = processCpuSeconds(pid);
  const l1 = ledgerPid ? processCpuSeconds(ledgerPid) : Number.NaN;
  const lastReceiptAt = Date.parse(drainedLine.status?.lastReceipt?.at ?? '') || (drainedLine.time ?? Date.now());
  const drainSeconds = Math.max(0.001, (lastReceiptAt - connectedAt) / 1000);

  // 4. Online: reads while publishing and receiving receipts.
  phase = 'online';
  const onlineRss = sampleRss(pid);
  const t2 = performance.now();
  const onlineAcked = await scanAll(scanner, `${kind}${runtime}O`, Math.floor(READS / 2));
  const finalLine = (await waitForLog(child, drainedStatus, 600_000)) as unknown as StatusLine;
  const onlineSeconds = (performance.now() - t2) / 1000;
  const rssOnlinePeakMb = onlineRss.stop();

  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await scanner.close();
  await pty.stop();
  await cable.close();
  await ledger?.stop();
  await stores?.stop();
  await echo?.close();
  rmSync(work, { recursive: true, force: true });
  return {
    ledger: kind,
    runtime,
    nodeFlags,
    readsPerSecond: acked / fillSeconds,
    drainPerSecond: acked / drainSeconds,
    reconnectSeconds: (connectedAt - restoredAt) / 1000,
    rssIdleMb,
    rssFillPeakMb,
    rssDrainPeakMb,
    rssOnlinePeakMb,
    heapPeaks,
    onlineReadsPerSecond: onlineAcked / onlineSeconds,
    gatewayCpuFill: cpu1 - cpu0,
    gatewayCpuDrain: cpu2 - cpu1,
    ledgerCpuDrain: l1 - l0,
    acked: acked + onlineAcked,
    rejected: finalLine.status?.receipts?.rejected ?? Number.NaN,
  };
}

const kinds: readonly LedgerKind[] =
  values.ledger === 'both' ? ['echo', 'real'] : values.ledger === 'all' ? ['echo', 'real', 'pg'] : [values.ledger as LedgerKind];
const runtimes = values.runtime === 'both' ? (['bundle', 'tsx'] as const) : [values.runtime as 'tsx' | 'bundle'];
const bundleDir = join(REPO_ROOT, 'bench/gateway/.bundle');
const bundlePath = runtimes.includes('bundle') ? await buildGatewayBundle({ outfile: join(bundleDir, 'gateway.mjs') }) : undefined;
const results: RunResult[] = [];
try {
  for (const runtime of runtimes) for (const kind of kinds) results.push(await runOnce(kind, runtime, bundlePath));
} finally {
  rmSync(bundleDir, { recursive: true, force: true });
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
process.stdout.write(`\nGateway benchmark: ${fmt(READS)} reads per run (fsync on), ${process.version}, load average after: ${load}\n`);
process.stdout.write(`bundle flags: ${BUNDLE_FLAGS.join(' ') || '(none)'}; echo receipts: ${values['echo-receipts']}\n`);
process.stdout.write(
  'runtime  ledger  reads/s→outbox  drain/s  reconnect  RSS idle  RSS fill peak  RSS drain peak  RSS online peak  online reads/s  gw CPU s (fill/drain)  ledger CPU s (drain)\n',
);
for (const r of results) {
  process.stdout.write(
    `${r.runtime.padEnd(8)} ${r.ledger.padEnd(7)} ${fmt(r.readsPerSecond).padStart(14)}  ${fmt(r.drainPerSecond).padStart(7)}  ${r.reconnectSeconds.toFixed(1).padStart(7)} s  ${r.rssIdleMb.toFixed(0).padStart(5)} MB  ${r.rssFillPeakMb.toFixed(0).padStart(10)} MB  ${r.rssDrainPeakMb.toFixed(0).padStart(11)} MB  ${r.rssOnlinePeakMb.toFixed(0).padStart(12)} MB  ${fmt(r.onlineReadsPerSecond).padStart(14)}  ${r.gatewayCpuFill.toFixed(1).padStart(10)} / ${r.gatewayCpuDrain.toFixed(1).padEnd(8)}  ${Number.isNaN(r.ledgerCpuDrain) ? '-' : r.ledgerCpuDrain.toFixed(1)}\n`,
  );
}
process.stdout.write(`${JSON.stringify({ bench: 'gateway', reads: READS, results })}\n`);
