// A pseudo-terminal pair from socat: the simulated device writes one end, the gateway opens the other with
// serialport exactly as it would /dev/ttyACM0. Stopping the pair is unplugging the scanner's cable.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PtyPairOptions {
  /** Symlink the device (simulator) opens, e.g. /tmp/pedigree/line1-dev. */
  readonly devicePath: string;
  /** Symlink the gateway opens (its scanner `path`). */
  readonly hostPath: string;
  /** socat binary (Debian package `socat`). Default `socat`. */
  readonly socat?: string;
  readonly startTimeoutMs?: number;
}

export interface PtyPair {
  readonly devicePath: string;
  readonly hostPath: string;
  readonly pid: number | undefined;
  /** True until the pair is stopped (unplugged) or socat exits. */
  readonly running: boolean;
  /** Unplugs: ends socat (its links disappear). */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function openPtyPair(options: PtyPairOptions): Promise<PtyPair> {
  mkdirSync(dirname(options.devicePath), { recursive: true });
  mkdirSync(dirname(options.hostPath), { recursive: true });
  const child: ChildProcess = spawn(
    options.socat ?? 'socat',
    [`pty,raw,echo=0,link=${options.devicePath}`, `pty,raw,echo=0,link=${options.hostPath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let running = true;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running = false;
      resolve();
    });
    child.once('error', (e) => {
      running = false;
      stderr += String(e);
      resolve();
    });
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 5000);
  while (!(existsSync(options.devicePath) && existsSync(options.hostPath))) {
    if (!running) throw new Error(`socat exited before creating ${options.hostPath}: ${stderr.trim() || 'is socat installed?'}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`socat did not create ${options.hostPath} in time`);
    }
    await sleep(10);
  }
  return {
    devicePath: options.devicePath,
    hostPath: options.hostPath,
    pid: child.pid,
    get running() {
      return running;
    },
    async stop() {
      if (running) child.kill('SIGTERM');
      await exited;
    },
  };
}
