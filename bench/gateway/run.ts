// Gateway benchmark (issue 5): reads/s from the serial line to the durable outbox, outbox drain rate into the server
// after an outage, and the gateway's RSS. Prints a table and one JSON line.
//
//   npx tsx bench/gateway/run.ts [--reads 20000] [--ledger real|echo|both] [--runtime tsx|bundle|both]
//
// Set-up, all on this machine: the gateway runs as its own process (`gateway/main.ts`, under tsx as `npm run
// gateway` does, or bundled by esbuild and run by plain node as an edge box would); a simulated scanner writes
// frames to a socat pseudo-terminal with the ACK/NAK handshake; the gateway reaches the broker through a TCP
// proxy that is cut while the reads come in (the outage) and restored to measure the drain.
//   real: the ledger (server/ledger.ts: Aedes + PGlite) in its own process: the rate into the server.
//   echo: a stand-in that signs an `accepted` receipt at once: the gateway's own drain ceiling.
// Reads/s is first frame written → last ACK received (every ACK is after fsync). Drain is cable restored → outbox
// empty with every receipt in (from the gateway's status lines, every 200 ms), timed from the gateway's reconnection
// (the reconnect back-off after the cable is restored is reported apart). RSS is the gateway's VmRSS peak.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SimBarcodeScanner } from '../../firmware-sim/barcode-scanner.js';
import { openPtyPair } from '../../firmware-sim/pty-pair.js';
import { generateDeviceKey, saveCredentials, saveVerifierKey } from '../../gateway/device-files.js';
import { enrollTestSite, REPO_ROOT, waitForLog } from '../../test/gateway/gateway-fixtures.js';
import { spawnLedgerChild, type LedgerChild } from '../../test/gateway/ledger-child.js';
import { startTcpCable } from '../../test/gateway/tcp-cable.js';
import { BENCH_GLN, BENCH_GTIN, fmt, processCpuSeconds, tempDir } from './bench-setup.js';
import { startEchoLedger, type EchoLedger } from './echo-ledger.js';

const { values } = parseArgs({
  options: {
    reads: { type: 'string', default: '20000' },
    ledger: { type: 'string', default: 'both' },
    runtime: { type: 'string', default: 'both' },
    /** V8 flags for the gateway process, e.g. "--max-semi-space-size=1" (what an edge box would set). */
    'node-flags': { type: 'string', default: '' },
  },
});
const READS = Number(values.reads);

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
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid) || 0);
    },
  };
}

function bundleGateway(): string {
  const out = join(REPO_ROOT, 'bench/gateway/.bundle');
  mkdirSync(out, { recursive: true });
  execFileSync(join(REPO_ROOT, 'node_modules/.bin/esbuild'), [
    join(REPO_ROOT, 'gateway/main.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--packages=external',
    '--loader:.json=json',
    `--outfile=${join(out, 'gateway.mjs')}`,
    '--log-level=warning',
  ]);
  return join(out, 'gateway.mjs');
}

interface RunResult {
  ledger: string;
  runtime: string;
  readsPerSecond: number;
  drainPerSecond: number;
  /** Cable restored → the gateway's next connection attempt succeeded (its reconnect back-off, up to 10 s). */
  reconnectSeconds: number;
  rssIdleMb: number;
  rssFillPeakMb: number;
  rssDrainPeakMb: number;
  gatewayCpuFill: number;
  gatewayCpuDrain: number;
  ledgerCpuDrain: number;
  acked: number;
}

async function runOnce(kind: 'real' | 'echo', runtime: 'tsx' | 'bundle', bundlePath: string | undefined): Promise<RunResult> {
  const work = tempDir(`gw-${kind}`);
  let ledger: LedgerChild | undefined;
  let echo: EchoLedger | undefined;
  let mqttUrl: string;
  if (kind === 'real') {
    ledger = await spawnLedgerChild({ PEDIGREE_LOG_LEVEL: 'error' });
    mqttUrl = ledger.mqttUrl;
  } else {
    echo = await startEchoLedger();
    mqttUrl = echo.mqttUrl;
  }
  const cable = await startTcpCable(new URL(mqttUrl));
  await cable.cut();
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
  } else {
    const dir = join(work, 'site');
    mkdirSync(dir, { recursive: true });
    configPath = join(dir, 'site.json');
    writeFileSync(configPath, JSON.stringify({ ...spec, ledger: { mqttUrl: cable.url } }));
    generateDeviceKey(join(dir, 'device.key'));
    saveCredentials(join(dir, 'mqtt-credentials.json'), { username: spec.device, password: 'x' });
    saveVerifierKey(join(dir, 'ledger.vkey'), echo!.verifierKey);
  }
  const args = runtime === 'bundle' ? [bundlePath!] : ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts')];
  const flags = values['node-flags'] ? values['node-flags'].split(/\s+/).filter(Boolean) : [];
  const child: ChildProcess = spawn(process.execPath, [...flags, ...args, '--config', configPath, '--json', '--status-interval', '200'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PEDIGREE_GATEWAY_LOG_LEVEL: 'info' },
  });
  const pid = child.pid!;
  await waitForLog(child, (l) => l.msg === 'scanner connected', 60_000);
  await new Promise((r) => setTimeout(r, 500));
  const rssIdleMb = rssMb(pid);

  // Fill: N reads through the serial line into the outbox, network down.
  const scanner = await SimBarcodeScanner.open({ path: pty.devicePath, answerTimeoutMs: 300_000 });
  const fillRss = sampleRss(pid);
  const cpu0 = processCpuSeconds(pid);
  const t0 = performance.now();
  const answers = await Promise.all(
    Array.from({ length: READS }, (_, i) =>
      scanner.scan([
        { ai: '01', value: BENCH_GTIN },
        { ai: '17', value: '291231' },
        { ai: '10', value: 'BENCH-LOT' },
        { ai: '21', value: `${kind}${runtime}${i}` },
      ]),
    ),
  );
  const fillSeconds = (performance.now() - t0) / 1000;
  const cpu1 = processCpuSeconds(pid);
  const rssFillPeakMb = fillRss.stop();
  const acked = answers.filter((a) => a[0] === 'ack').length;

  // Drain: plug the cable back in.
  const drainRss = sampleRss(pid);
  const ledgerPid = ledger?.process.pid;
  const l0 = ledgerPid ? processCpuSeconds(ledgerPid) : Number.NaN;
  const t1 = performance.now();
  let connectedAt = Number.NaN;
  const connected = waitForLog(child, (l) => l.msg === 'connected to the ledger broker', 600_000).then(() => {
    connectedAt = performance.now();
  });
  const drained = waitForLog(
    child,
    (l) => {
      const s = l.status as { link?: string; outbox?: { pending: number; inFlight: number; queued: number } } | undefined;
      return s?.link === 'online' && s.outbox?.pending === 0 && s.outbox.inFlight === 0 && s.outbox.queued === 0;
    },
    600_000,
  );
  await cable.restore();
  await connected;
  await drained;
  const reconnectSeconds = (connectedAt - t1) / 1000;
  const drainSeconds = (performance.now() - connectedAt) / 1000;
  const rssDrainPeakMb = drainRss.stop();
  const cpu2 = processCpuSeconds(pid);
  const l1 = ledgerPid ? processCpuSeconds(ledgerPid) : Number.NaN;

  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await scanner.close();
  await pty.stop();
  await cable.close();
  await ledger?.stop();
  await echo?.close();
  rmSync(work, { recursive: true, force: true });
  return {
    ledger: kind,
    runtime,
    readsPerSecond: acked / fillSeconds,
    drainPerSecond: acked / drainSeconds,
    reconnectSeconds,
    rssIdleMb,
    rssFillPeakMb,
    rssDrainPeakMb,
    gatewayCpuFill: cpu1 - cpu0,
    gatewayCpuDrain: cpu2 - cpu1,
    ledgerCpuDrain: l1 - l0,
    acked,
  };
}

const kinds = values.ledger === 'both' ? (['echo', 'real'] as const) : [values.ledger as 'real' | 'echo'];
const runtimes = values.runtime === 'both' ? (['tsx', 'bundle'] as const) : [values.runtime as 'tsx' | 'bundle'];
const bundlePath = runtimes.includes('bundle') ? bundleGateway() : undefined;
const results: RunResult[] = [];
try {
  for (const runtime of runtimes) for (const kind of kinds) results.push(await runOnce(kind, runtime, bundlePath));
} finally {
  if (bundlePath) rmSync(resolve(bundlePath, '..'), { recursive: true, force: true });
}

process.stdout.write(`\nGateway benchmark: ${fmt(READS)} reads per run (fsync on), ${process.version}\n`);
process.stdout.write('runtime  ledger  reads/s→outbox  drain/s  reconnect  RSS idle  RSS fill peak  RSS drain peak  gw CPU s (fill/drain)  ledger CPU s (drain)\n');
for (const r of results) {
  process.stdout.write(
    `${r.runtime.padEnd(8)} ${r.ledger.padEnd(7)} ${fmt(r.readsPerSecond).padStart(14)}  ${fmt(r.drainPerSecond).padStart(7)}  ${r.reconnectSeconds.toFixed(1).padStart(7)} s  ${r.rssIdleMb.toFixed(0).padStart(5)} MB  ${r.rssFillPeakMb.toFixed(0).padStart(10)} MB  ${r.rssDrainPeakMb.toFixed(0).padStart(11)} MB  ${r.gatewayCpuFill.toFixed(1).padStart(10)} / ${r.gatewayCpuDrain.toFixed(1).padEnd(8)}  ${Number.isNaN(r.ledgerCpuDrain) ? '-' : r.ledgerCpuDrain.toFixed(1)}\n`,
  );
}
process.stdout.write(`${JSON.stringify({ bench: 'gateway', reads: READS, results })}\n`);
