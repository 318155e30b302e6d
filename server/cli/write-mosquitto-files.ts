// `npm run pedigree -- mosquitto-config --out DIR`: the password file and ACL for running Pedigree on Mosquitto.
import { join } from 'node:path';
import type { Config } from '../config.js';
import { openSqlClient } from '../adapters/db/sql-client.js';
import { createSqlRegistryStore } from '../adapters/db/registry-store.js';
import { writeMosquittoFiles } from '../adapters/mqtt/mosquitto-config.js';
import { hashMqttPassword } from '../adapters/mqtt/mqtt-credentials.js';

export async function writeMosquittoConfig(
  config: Config,
  outDir: string,
  ledger: { username: string; password: string },
): Promise<{ passwordFile: string; aclFile: string; devices: number }> {
  const sql = await openSqlClient({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
  try {
    const creds = await createSqlRegistryStore(sql).listDeviceCredentials();
    const files = await writeMosquittoFiles(
      outDir,
      creds.map((c) => ({
        username: c.device,
        passwordHash: c.mqttPasswordHash,
        principal: { kind: 'device' as const, device: c.device, siteGln: c.siteGln },
        active: c.status === 'active',
      })),
      { username: ledger.username, passwordHash: await hashMqttPassword(ledger.password) },
    );
    return { ...files, devices: creds.length };
  } finally {
    await sql.close();
  }
}
