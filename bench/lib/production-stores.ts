// The production setup a benchmark's ledger runs against: its own PostgreSQL database and its own Mosquitto process
// (the shipped mosquitto.conf, on a free port), with the broker's password file and ACL written for the ledger and,
// once enrolled, for every device (as `npm run pedigree -- mosquitto-files` does).
import { createTestDatabase } from '../../test/harness/databases.js';
import { startMosquitto } from '../../test/harness/mosquitto-process.js';
import { openSqlClient } from '../../server/adapters/db/sql-client.js';
import { createSqlRegistryStore } from '../../server/adapters/db/registry-store.js';
import { writeMosquittoFiles } from '../../server/adapters/mqtt/mosquitto-config.js';
import { hashMqttPassword } from '../../server/adapters/mqtt/mqtt-credentials.js';

export interface ProductionStores {
  /** PEDIGREE_DATABASE_URL, PEDIGREE_MQTT_URL and the ledger's broker credentials. */
  readonly env: Record<string, string>;
  /** Writes the broker's password file and ACL for every enrolled device and reloads Mosquitto. */
  admitEnrolledDevices(): Promise<void>;
  stop(): Promise<void>;
}

export async function startProductionStores(dir: string): Promise<ProductionStores> {
  process.env.PEDIGREE_TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres'; // the server databases are made on
  const ledger = { username: 'pedigree-ledger', password: 'bench-ledger-password' };
  const ledgerAccount = { username: ledger.username, passwordHash: await hashMqttPassword(ledger.password) };
  const db = await createTestDatabase();
  await writeMosquittoFiles(dir, [], ledgerAccount);
  const mosquitto = await startMosquitto(dir, new URL('../../server/adapters/mqtt/mosquitto.conf', import.meta.url).pathname);
  return {
    env: { PEDIGREE_DATABASE_URL: db.url, PEDIGREE_MQTT_URL: mosquitto.url, PEDIGREE_MQTT_USERNAME: ledger.username, PEDIGREE_MQTT_PASSWORD: ledger.password },
    async admitEnrolledDevices() {
      const sql = await openSqlClient({ databaseUrl: db.url });
      const creds = await createSqlRegistryStore(sql).listDeviceCredentials().finally(() => sql.close());
      await writeMosquittoFiles(
        dir,
        creds.map((c) => ({ username: c.device, passwordHash: c.mqttPasswordHash, principal: { kind: 'device', device: c.device, siteGln: c.siteGln }, active: true })),
        ledgerAccount,
      );
      mosquitto.reload();
      await new Promise((r) => setTimeout(r, 500)); // SIGHUP: Mosquitto re-reads the files asynchronously
    },
    async stop() {
      await mosquitto.stop();
      await db.drop();
    },
  };
}
