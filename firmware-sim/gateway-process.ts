// Starts a site's gateway as its own process with `gateway/main.ts` (keygen and enrolment on first use, then run),
// the way a real site runs it: the simulator and the gateway share nothing but the serial lines.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { LaunchedGateway, SimSite } from './supply-chain.js';

const run = promisify(execFile);

export interface GatewayProcessOptions {
  /** The repository root (gateway/main.ts is run with tsx from there). */
  readonly repoRoot: string;
  readonly adminToken: string;
  /** Receives the gateway's JSON log lines. */
  readonly onLine?: (site: SimSite, line: string) => void;
}

export function gatewayProcessLauncher(options: GatewayProcessOptions): (site: SimSite) => Promise<LaunchedGateway> {
  const main = join(options.repoRoot, 'gateway/main.ts');
  const node = (args: string[]) => [process.execPath, ['--import', 'tsx', main, ...args]] as const;
  return async (site) => {
    const dir = dirname(site.configPath);
    if (!existsSync(join(dir, 'device.key'))) await run(...node(['keygen', '--config', site.configPath]), { cwd: options.repoRoot });
    if (!existsSync(join(dir, 'mqtt-credentials.json'))) {
      await run(...node(['enroll', '--create-site', '--config', site.configPath, '--admin-token', options.adminToken]), { cwd: options.repoRoot });
    }
    const [cmd, args] = node(['--config', site.configPath, '--json', '--status-interval', '5000']);
    const child: ChildProcess = spawn(cmd, args, { cwd: options.repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        options.onLine?.(site, buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  };
}
