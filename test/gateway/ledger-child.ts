// Runs a ledger in its own process (as production would), for tests and benchmarks where the gateway and the ledger
// must not share one thread. As a script: starts the ledger from PEDIGREE_* variables and prints one JSON line
// {httpUrl, mqttUrl, verifierKey}; SIGTERM stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../../server/config.js';
import { startLedger } from '../../server/ledger.js';

export interface LedgerChild {
  readonly process: ChildProcess;
  readonly httpUrl: string;
  readonly mqttUrl: string;
  readonly adminToken: string;
  readonly dataDir: string;
  /** Stops the ledger cleanly; its data folder is removed unless keepData (to read the log afterwards). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const CHILD_ADMIN_TOKEN = 'child-admin-token-0123456789abcdef';

export async function spawnLedgerChild(env: Record<string, string> = {}): Promise<LedgerChild> {
  const dataDir = env.PEDIGREE_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'pedigree-ledger-child-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/gateway/ledger-child.ts')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PEDIGREE_HTTP_PORT: '0',
      PEDIGREE_MQTT_PORT: '0',
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_ADMIN_TOKEN: CHILD_ADMIN_TOKEN,
      PEDIGREE_LOG_LEVEL: 'warn',
      PEDIGREE_LEDGER_CHILD: '1',
      ...env,
    },
  });
  const info = await new Promise<{ httpUrl: string; mqttUrl: string }>((resolvePromise, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) resolvePromise(JSON.parse(buffer.slice(0, nl)) as { httpUrl: string; mqttUrl: string });
    });
    child.once('exit', (code) => reject(new Error(`ledger child exited with ${code}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    process: child,
    ...info,
    adminToken: env.PEDIGREE_ADMIN_TOKEN ?? CHILD_ADMIN_TOKEN,
    dataDir,
    async stop(options = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (!env.PEDIGREE_DATA_DIR && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

if (process.env.PEDIGREE_LEDGER_CHILD === '1' && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) throw new Error(loaded.message);
  const ledger = await startLedger(loaded.config, pino({ level: loaded.config.logLevel }));
  process.stdout.write(`${JSON.stringify({ httpUrl: ledger.httpUrl, mqttUrl: ledger.mqttUrl })}\n`);
  process.on('SIGTERM', () => {
    void ledger.stop().then(() => process.exit(0));
  });
}
