// Enrols a gateway on first use and starts it in-process: for the simulated supply chain of `npm start` and tests,
// where many gateways share one process. `npm run gateway` is the single-gateway equivalent.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadGatewayConfig } from './config.js';
import { generateDeviceKey, loadCredentials, loadLedgerTrust, loadSecretKey } from './device-files.js';
import { enrollGateway } from './enroll.js';
import { startGateway, type GatewayOptions, type RunningGateway } from './gateway.js';

export interface LaunchSiteOptions {
  readonly adminToken: string;
  readonly logger: Logger;
  /** Passed through to startGateway (e.g. reopenMs, reconnect timings). */
  readonly gateway?: Partial<Omit<GatewayOptions, 'config' | 'secretKey' | 'credentials' | 'trust' | 'logger'>>;
}

export async function enrollAndStartGateway(configPath: string, options: LaunchSiteOptions): Promise<RunningGateway> {
  const loaded = loadGatewayConfig(configPath, {});
  if (!loaded.ok) throw new Error(loaded.message);
  const config = loaded.config;
  if (!existsSync(config.keyFile)) generateDeviceKey(config.keyFile);
  if (!existsSync(config.credentialsFile) || (!config.ledger.verifierKey && !existsSync(config.ledger.verifierKeyFile))) {
    await enrollGateway(config, { adminToken: options.adminToken, createSite: true });
  }
  return startGateway({
    config,
    secretKey: loadSecretKey(config.keyFile),
    credentials: loadCredentials(config.credentialsFile),
    trust: loadLedgerTrust(config),
    logger: options.logger.child({ device: config.device }),
    ...options.gateway,
  });
}
