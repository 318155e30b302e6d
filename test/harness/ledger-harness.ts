// Starts a real ledger in-process for a test file: PGlite in a temp dir (or PostgreSQL), embedded broker on a free
// port (or the test Mosquitto), HTTP on a free port; plus helpers to enrol devices and talk to it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../server/config.js';
import { startLedger, type RunningLedger } from '../../server/ledger.js';
import { generateKeyPair, encodePublicKey } from '../../schemas/signing/keys.js';
import { createTestDatabase } from './databases.js';

export interface LedgerHarness {
  readonly ledger: RunningLedger;
  readonly config: Config;
  readonly adminToken: string;
  readonly dataDir: string;
  /** Admin-authenticated JSON request against the running HTTP server. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  stop(): Promise<void>;
  /** Stops and starts the ledger again on the same stores and ports (the key and data survive). */
  restart(): Promise<void>;
}

export interface HarnessOptions {
  readonly store?: 'pglite' | 'postgres';
  /** 'external' uses the broker at PEDIGREE_TEST_MQTT_URL (Mosquitto in CI) instead of the embedded one. */
  readonly broker?: 'embedded' | 'external';
  readonly env?: Record<string, string>;
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export async function startLedgerHarness(options: HarnessOptions = {}): Promise<LedgerHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-test-'));
  let dropDb: (() => Promise<void>) | undefined;
  const env: Record<string, string> = {
    PEDIGREE_HTTP_PORT: '0',
    PEDIGREE_MQTT_PORT: '0',
    PEDIGREE_DATA_DIR: dataDir,
    PEDIGREE_ADMIN_TOKEN: ADMIN_TOKEN,
    PEDIGREE_LOG_LEVEL: 'silent',
    ...options.env,
  };
  if (options.broker === 'external') {
    const url = process.env.PEDIGREE_TEST_MQTT_URL;
    if (!url) throw new Error('PEDIGREE_TEST_MQTT_URL is not set');
    env.PEDIGREE_MQTT_URL = url;
    // Test ledgers share that broker: each needs its own session.
    env.PEDIGREE_MQTT_CLIENT_ID = `pedigree-ledger-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  }
  if (options.store === 'postgres') {
    const db = await createTestDatabase();
    env.PEDIGREE_DATABASE_URL = db.url;
    dropDb = db.drop;
  }
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.message);
  let config = loaded.config;
  const logger = pino({ level: config.logLevel });
  let ledger = await startLedger(config, logger);
  // Keep the same ports across restarts, so connected clients reconnect to the same place.
  const httpPort = Number(new URL(ledger.httpUrl).port);
  const mqttPort = Number(new URL(ledger.mqttUrl).port);
  config = { ...config, httpPort, mqttPort: config.mqttUrl ? config.mqttPort : mqttPort };

  const harness: LedgerHarness = {
    get ledger() {
      return ledger;
    },
    get config() {
      return config;
    },
    adminToken: ADMIN_TOKEN,
    dataDir,
    async api(method, path, body, token = ADMIN_TOKEN) {
      const res = await fetch(`${ledger.httpUrl}${path}`, {
        method,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async stop() {
      await ledger.stop();
      if (dropDb) await dropDb();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await ledger.stop();
      ledger = await startLedger(config, logger);
    },
  };
  return harness;
}

export interface EnrolledTestDevice {
  readonly device: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly location: string;
  readonly gln: string;
  readonly mqtt: { username: string; password: string };
}

/** Registers a party, a location and a device through the admin API. */
export async function enrollTestDevice(
  h: LedgerHarness,
  spec: { device: string; gln: string; ext: string; role?: string; name?: string },
): Promise<EnrolledTestDevice> {
  const party = await h.api('POST', '/v1/parties', { gln: spec.gln, name: spec.name ?? `Party ${spec.gln}`, role: spec.role ?? 'manufacturer' });
  if (party.status !== 201 && party.body?.code !== 'PARTY_EXISTS') throw new Error(`party: ${party.text}`);
  const location = `https://id.gs1.org/414/${spec.gln}/254/${spec.ext}`;
  const loc = await h.api('POST', '/v1/locations', { sgln: location, party: spec.gln, name: `Site ${spec.ext}` });
  if (loc.status !== 201 && loc.body?.code !== 'LOCATION_EXISTS') throw new Error(`location: ${loc.text}`);
  const keys = generateKeyPair();
  const dev = await h.api('POST', '/v1/devices', { device: spec.device, location, publicKey: encodePublicKey(keys.publicKey) });
  if (dev.status !== 201) throw new Error(`device: ${dev.text}`);
  return { device: spec.device, ...keys, location, gln: spec.gln, mqtt: dev.body.mqtt };
}
