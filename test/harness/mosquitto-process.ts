// Test helper: a Mosquitto process of our own, on a free 127.0.0.1 port, with a given config directory.
// Never the system instance on 1883, and never /etc/mosquitto.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** The mosquitto binary, or undefined when it is not installed (Debian puts it in /usr/sbin, off most PATHs). */
export const mosquittoBin: string | undefined = [
  ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
  '/usr/sbin',
  '/usr/local/sbin',
  '/opt/homebrew/sbin',
]
  .map((dir) => join(dir, 'mosquitto'))
  .find((path) => existsSync(path));

export interface MosquittoProcess {
  readonly port: number;
  readonly url: string;
  /** What Mosquitto logged so far (for failure messages). */
  log(): string;
  /** Sends SIGHUP: Mosquitto reloads its password and ACL files. */
  reload(): void;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/**
 * Copies `confPath` into `dir` as mosquitto.conf with its `listener 1883` line moved to a free 127.0.0.1 port,
 * and starts `mosquitto -c mosquitto.conf` in `dir` (so the conf's relative file names resolve there).
 */
export async function startMosquitto(dir: string, confPath: string): Promise<MosquittoProcess> {
  if (mosquittoBin === undefined) throw new Error('mosquitto is not installed');
  const port = await freePort();
  const shipped = await readFile(confPath, 'utf8');
  if (!/^listener 1883$/m.test(shipped)) throw new Error(`${confPath} has no "listener 1883" line to move`);
  let conf = shipped.replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`);
  // Started as root, Mosquitto drops to user "mosquitto", which cannot read our 0600 files in a root-owned tmp.
  if (process.getuid?.() === 0) conf += '\n# test only: keep root so the 0600 files stay readable\nuser root\n';
  await writeFile(join(dir, 'mosquitto.conf'), conf);

  const child: ChildProcess = spawn(mosquittoBin, ['-c', 'mosquitto.conf'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 10_000;
  for (;;) {
    const state = await Promise.race([exited.then(() => 'exited' as const), canConnect(port)]);
    if (state === 'exited') throw new Error(`mosquitto exited at start-up:\n${output}`);
    if (state) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not listen on ${port} within 10 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    log: () => output,
    reload: () => {
      child.kill('SIGHUP');
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
