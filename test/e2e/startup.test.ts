// Start-up as an operator meets it: one line naming the variable to change when a port is taken or a URL is
// unreachable, and a clean stop on Ctrl-C (SIGINT).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnLedger } from '../harness/ledger-process.js';

function runLedger(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--no-sim'], {
      env: { ...process.env, PEDIGREE_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, server };
}

describe('when the ledger cannot start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-startup-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('names PEDIGREE_HTTP_PORT when the HTTP port is taken', { timeout: 90_000 }, async () => {
    const taken = await occupy();
    const r = await runLedger({ PEDIGREE_DATA_DIR: dataDir, PEDIGREE_HTTP_PORT: String(taken.port), PEDIGREE_MQTT_PORT: String(await freePort()) });
    taken.server.close();
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('PEDIGREE_HTTP_PORT');
  });

  it('names PEDIGREE_MQTT_PORT when the broker port is taken', { timeout: 90_000 }, async () => {
    const taken = await occupy();
    const r = await runLedger({ PEDIGREE_DATA_DIR: dataDir, PEDIGREE_HTTP_PORT: String(await freePort()), PEDIGREE_MQTT_PORT: String(taken.port) });
    taken.server.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pedigree: PEDIGREE_MQTT_PORT: port \d+ is already in use/);
  });

  it('names PEDIGREE_MQTT_URL when the external broker is unreachable', { timeout: 90_000 }, async () => {
    const r = await runLedger({
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_HTTP_PORT: String(await freePort()),
      PEDIGREE_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pedigree: PEDIGREE_MQTT_URL: cannot connect/);
  });

  it('names PEDIGREE_DATABASE_URL when PostgreSQL is unreachable', { timeout: 90_000 }, async () => {
    const r = await runLedger({
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_HTTP_PORT: String(await freePort()),
      PEDIGREE_MQTT_PORT: String(await freePort()),
      PEDIGREE_DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nothing`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pedigree: PEDIGREE_DATABASE_URL: cannot use/);
  });

  it('names the variable whose value is malformed', async () => {
    const r = await runLedger({ PEDIGREE_HTTP_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pedigree: PEDIGREE_HTTP_PORT: /);
  });
});

describe('when the operator presses Ctrl-C', () => {
  it('stops cleanly and exits 0', { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-sigint-'));
    const ledger = await spawnLedger({
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_HTTP_PORT: String(await freePort()),
      PEDIGREE_MQTT_PORT: String(await freePort()),
      PEDIGREE_LOG_LEVEL: 'info',
    });
    expect(ledger.output()).toContain('Pedigree ledger is running');
    expect(ledger.output()).toMatch(/Admin token \(shown once; keep it\): pdg_admin_/);
    const code = await ledger.kill('SIGINT');
    expect(code).toBe(0);
    expect(ledger.output()).toContain('stopped cleanly');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
