// Test fixtures: a gateway site enrolled at a running ledger (site.json, key, credentials, vkey in a temp folder),
// started in-process or as a child process, plus helpers to read what reached the log.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { parseGatewayConfig, type GatewayConfig, type GatewayFileConfig } from '../../gateway/config.js';
import { generateDeviceKey, loadCredentials, loadLedgerTrust, loadSecretKey } from '../../gateway/device-files.js';
import { enrollGateway } from '../../gateway/enroll.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway/gateway.js';
import { openSqlClient } from '../../server/adapters/db/sql-client.js';
import { createSqlLedgerStore } from '../../server/adapters/db/ledger-store.js';
import type { LedgerStore } from '../../server/domain/ports.js';
import type { LedgerHarness } from '../harness/ledger-harness.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface TestSite {
  readonly dir: string;
  readonly configPath: string;
  readonly config: GatewayConfig;
  /** `https://id.gs1.org/414/{gln}/254/{ext}`. */
  readonly location: string;
}

export type SiteSpec = Omit<GatewayFileConfig, 'ledger'> & { readonly ledger?: Partial<GatewayFileConfig['ledger']> };

/** Where a ledger answers: an in-process harness or a ledger child process. */
export interface LedgerEndpoint {
  readonly httpUrl: string;
  readonly mqttUrl: string;
  readonly adminToken: string;
}

function endpointOf(h: LedgerHarness | LedgerEndpoint): LedgerEndpoint {
  return 'ledger' in h ? { httpUrl: h.ledger.httpUrl, mqttUrl: h.ledger.mqttUrl, adminToken: h.adminToken } : h;
}

/** Writes site.json into a fresh folder, generates the key and enrols the device (creating party and location). */
export async function enrollTestSite(ledger: LedgerHarness | LedgerEndpoint, spec: SiteSpec, baseDir?: string): Promise<TestSite> {
  const h = endpointOf(ledger);
  const dir = baseDir ?? mkdtempSync(join(tmpdir(), `pedigree-gw-${spec.device}-`));
  mkdirSync(dir, { recursive: true });
  const file: GatewayFileConfig = {
    ...spec,
    ledger: { mqttUrl: h.mqttUrl, httpUrl: h.httpUrl, ...spec.ledger },
  };
  const configPath = join(dir, 'site.json');
  writeFileSync(configPath, JSON.stringify(file, null, 2));
  const parsed = parseGatewayConfig(file, dir);
  if (!parsed.ok) throw new Error(parsed.message);
  generateDeviceKey(parsed.config.keyFile);
  const enrolled = await enrollGateway(parsed.config, { adminToken: h.adminToken, createSite: true });
  return { dir, configPath, config: parsed.config, location: enrolled.location };
}

export function quietLogger(): Logger {
  return pino({ level: process.env.PEDIGREE_TEST_GATEWAY_LOG ?? 'silent' });
}

export async function startTestGateway(site: TestSite, extra: Partial<GatewayOptions> = {}): Promise<RunningGateway> {
  return startGateway({
    config: site.config,
    secretKey: loadSecretKey(site.config.keyFile),
    credentials: loadCredentials(site.config.credentialsFile),
    trust: loadLedgerTrust(site.config),
    logger: quietLogger(),
    reopenMs: 200,
    reconnectMinMs: 100,
    reconnectMaxMs: 1000,
    ...extra,
  });
}

/** `npm run gateway -- --config site.json --json` as a child process (for SIGKILL tests). */
export function spawnGatewayProcess(site: TestSite): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts'), '--config', site.configPath, '--json', '--status-interval', '500'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PEDIGREE_GATEWAY_LOG_LEVEL: 'info' },
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** Resolves on the first JSON log line of `child` that satisfies `predicate`. */
export function waitForLog(child: ChildProcess, predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.stdout?.off('data', onData);
      reject(new Error('gateway process did not log the expected line in time'));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const json = JSON.parse(line) as Record<string, unknown>;
          if (predicate(json)) {
            clearTimeout(timer);
            child.stdout?.off('data', onData);
            resolvePromise(json);
            return;
          }
        } catch {
          // not JSON
        }
      }
    };
    child.stdout?.on('data', onData);
  });
}

export interface LogEntry {
  readonly index: number;
  readonly device: string | null;
  readonly seq: number | null;
  readonly event: Record<string, any>;
}

/** Every entry in the log, oldest first. */
export async function readLog(h: LedgerHarness): Promise<LogEntry[]> {
  return readStore(h.ledger.store);
}

/** Every entry of a stopped ledger's PGlite data folder (a ledger child process, after stop()). */
export async function readLogFromDataDir(dataDir: string): Promise<LogEntry[]> {
  const sql = await openSqlClient({ dataDir: join(dataDir, 'pglite') });
  try {
    return await readStore(createSqlLedgerStore(sql));
  } finally {
    await sql.close();
  }
}

/** For a large log: index, seq and first EPC of each of a device's entries, straight from SQL (log order). */
export async function readDeviceEntriesFromDataDir(dataDir: string, device: string): Promise<{ index: number; seq: number; epc: string }[]> {
  const sql = await openSqlClient({ dataDir: join(dataDir, 'pglite') });
  try {
    const rows = await sql.query<{ idx: number | string; seq: number | string; epc: string }>(
      `SELECT idx, seq, event->'epcList'->>0 AS epc FROM entries WHERE device = $1 ORDER BY idx`,
      [device],
    );
    return rows.map((r) => ({ index: Number(r.idx), seq: Number(r.seq), epc: r.epc }));
  } finally {
    await sql.close();
  }
}

async function readStore(store: LedgerStore): Promise<LogEntry[]> {
  const size = await store.treeSize();
  const out: LogEntry[] = [];
  for (let from = 0; from < size; from += 5000) {
    const rows = await store.entriesRange(from, Math.min(5000, size - from));
    for (const r of rows) out.push({ index: r.index, device: r.device, seq: r.seq, event: r.event as Record<string, any> });
  }
  return out;
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
