// Runs the ledger as a child process (`tsx server/main.ts --no-sim`), for tests that kill it with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface LedgerProcess {
  readonly httpUrl: string;
  readonly mqttUrl: string;
  readonly child: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export async function spawnLedger(env: Record<string, string>, timeoutMs = 60_000): Promise<LedgerProcess> {
  const httpPort = Number(env.PEDIGREE_HTTP_PORT);
  // PEDIGREE_CPU_PROF_DIR=dir writes a V8 CPU profile of the ledger process there on exit (benchmarks).
  const profile = process.env.PEDIGREE_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PEDIGREE_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'server/main.ts', '--no-sim'], {
    env: { ...process.env, PEDIGREE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ledger exited during start-up:\n${out}`);
    try {
      const r = await fetch(`${httpUrl}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ledger did not become healthy within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    httpUrl,
    mqttUrl: env.PEDIGREE_MQTT_URL ?? `mqtt://127.0.0.1:${env.PEDIGREE_MQTT_PORT}`,
    child,
    output: () => out,
    async kill(signal) {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
