// Shared set-up of the gateway benchmarks: a ledger in its own process, an enrolled gateway site, CPU accounting.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { GatewayFileConfig } from '../../gateway/config.js';
import { startGateway, type RunningGateway } from '../../gateway/gateway.js';
import { loadCredentials, loadLedgerTrust, loadSecretKey } from '../../gateway/device-files.js';
import { formatScanData } from '../../schemas/gs1/index.js';
import { enrollTestSite, type LedgerEndpoint, type TestSite } from '../../test/gateway/gateway-fixtures.js';
export { processCpuSeconds } from '../lib/process-cpu.js';

export const BENCH_GLN = '4012345000009';
export const BENCH_GTIN = '09506000134352';

export async function benchSite(ledger: LedgerEndpoint, device: string, extra: Partial<GatewayFileConfig> = {}): Promise<TestSite> {
  return enrollTestSite(ledger, {
    device,
    site: { party: BENCH_GLN, location: { gln: BENCH_GLN, extension: 'bench' }, role: 'manufacturer' },
    scanners: [{ name: 'line', path: '/dev/null', mode: 'commissioning' }],
    ...extra,
  });
}

export function startBenchGateway(site: TestSite, options: { offline?: boolean; noSerial?: boolean } = {}): Promise<RunningGateway> {
  return startGateway({
    config: site.config,
    secretKey: loadSecretKey(site.config.keyFile),
    credentials: loadCredentials(site.config.credentialsFile),
    trust: loadLedgerTrust(site.config),
    logger: pino({ level: 'warn' }),
    ...options,
  });
}

/** The frame a scanner sends for pack number i (`]d2` + element string). */
export function packFrame(i: number, prefix = 'B'): string {
  const data = formatScanData([
    { ai: '01', value: BENCH_GTIN },
    { ai: '17', value: '291231' },
    { ai: '10', value: 'BENCH-LOT' },
    { ai: '21', value: `${prefix}${i}` },
  ]);
  if (!data.ok) throw new Error(data.message);
  return data.value;
}

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `pedigree-bench-${name}-`));
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
