// The ledger's configuration: the only place that reads process.env (STYLE.md habit 4), validated at start-up.
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a TCP port number (1-65535, or 0 for any free port)` })
    .int()
    .min(0, `${name} must be a TCP port number (0-65535)`)
    .max(65535, `${name} must be a TCP port number (0-65535)`)
    .default(fallback);

const url = (name: string, protocols: readonly string[]) =>
  z
    .string()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`)
    .optional();

const envSchema = z.object({
  PEDIGREE_HTTP_PORT: port('PEDIGREE_HTTP_PORT', 8080),
  PEDIGREE_HTTP_HOST: z.string().default('127.0.0.1'),
  PEDIGREE_MQTT_PORT: port('PEDIGREE_MQTT_PORT', 1883),
  PEDIGREE_MQTT_HOST: z.string().default('127.0.0.1'),
  PEDIGREE_DATA_DIR: z.string().min(1).default('./data'),
  PEDIGREE_DATABASE_URL: url('PEDIGREE_DATABASE_URL', ['postgres:', 'postgresql:']),
  PEDIGREE_MQTT_URL: url('PEDIGREE_MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']),
  PEDIGREE_MQTT_USERNAME: z.string().optional(),
  PEDIGREE_MQTT_CLIENT_ID: z.string().min(1).max(128).default('pedigree-ledger'),
  PEDIGREE_MQTT_PASSWORD: z.string().optional(),
  PEDIGREE_ADMIN_TOKEN: z.string().min(16, 'PEDIGREE_ADMIN_TOKEN must be at least 16 characters').optional(),
  PEDIGREE_LEDGER_KEY_FILE: z.string().optional(),
  PEDIGREE_LOG_ORIGIN: z.string().min(1).default('pedigree.local/ledger'),
  PEDIGREE_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
  PEDIGREE_BATCH_MAX: z.coerce.number().int().min(1).max(10_000).default(1000),
  PEDIGREE_CHECK_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  PEDIGREE_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(5),
  PEDIGREE_PROOF_CACHE_NODES: z.coerce.number().int().min(1024).max(1_000_000_000).default(12_000_000),
  PEDIGREE_CUSTODY_RULES: z.enum(['on', 'off'], { error: 'PEDIGREE_CUSTODY_RULES must be on or off' }).default('on'),
  PEDIGREE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  readonly httpPort: number;
  readonly httpHost: string;
  readonly mqttPort: number;
  readonly mqttHost: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly mqttUrl: string | undefined;
  readonly mqttUsername: string | undefined;
  /** The ledger's MQTT client id: stable, so its persistent session survives restarts; unique per process. */
  readonly mqttClientId: string;
  readonly mqttPassword: string | undefined;
  readonly adminToken: string | undefined;
  readonly ledgerKeyFile: string | undefined;
  readonly logOrigin: string;
  readonly maxPayloadBytes: number;
  readonly batchMax: number;
  readonly batchWaitMs: number;
  /** Apply the custody rules after each batch (off: ingest only, e.g. to measure their cost; state catches up when on). */
  readonly custodyRules: boolean;
  /** Worker threads for envelope checks; 0 checks on the main thread. Default: one per core but one, at least 1. */
  readonly checkWorkers: number;
  /** Most Merkle tree nodes the ledger keeps in memory for proofs (32 bytes each; tree-node-cache.ts). */
  readonly proofCacheNodes: number;
  readonly logLevel: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

/** Reads the environment once; a bad value yields one line naming the variable to change. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  // An empty variable counts as unset (`PEDIGREE_DATABASE_URL= npm start` means "use the default").
  const given = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('PEDIGREE_') && v !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    return { ok: false, message: `${name}: ${issue?.message ?? 'invalid'} (got ${JSON.stringify(env[name])})` };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      httpPort: e.PEDIGREE_HTTP_PORT,
      httpHost: e.PEDIGREE_HTTP_HOST,
      mqttPort: e.PEDIGREE_MQTT_PORT,
      mqttHost: e.PEDIGREE_MQTT_HOST,
      dataDir: e.PEDIGREE_DATA_DIR,
      databaseUrl: e.PEDIGREE_DATABASE_URL,
      mqttUrl: e.PEDIGREE_MQTT_URL,
      mqttUsername: e.PEDIGREE_MQTT_USERNAME,
      mqttClientId: e.PEDIGREE_MQTT_CLIENT_ID,
      mqttPassword: e.PEDIGREE_MQTT_PASSWORD,
      adminToken: e.PEDIGREE_ADMIN_TOKEN,
      ledgerKeyFile: e.PEDIGREE_LEDGER_KEY_FILE,
      logOrigin: e.PEDIGREE_LOG_ORIGIN,
      maxPayloadBytes: e.PEDIGREE_MAX_PAYLOAD_BYTES,
      batchMax: e.PEDIGREE_BATCH_MAX,
      batchWaitMs: e.PEDIGREE_BATCH_WAIT_MS,
      custodyRules: e.PEDIGREE_CUSTODY_RULES === 'on',
      checkWorkers: e.PEDIGREE_CHECK_WORKERS ?? defaultCheckWorkers(availableParallelism(), e.PEDIGREE_DATABASE_URL !== undefined),
      proofCacheNodes: e.PEDIGREE_PROOF_CACHE_NODES,
      logLevel: e.PEDIGREE_LOG_LEVEL,
    },
  };
}

/**
 * Envelope-check threads when PEDIGREE_CHECK_WORKERS is not set: one per core but the main thread's. With PostgreSQL
 * the main thread mostly waits on the database, so on a 2-core host two workers share the cores with it: the same
 * throughput and a paced p99 of 170–301 ms against 268–764 ms with one (bench/ingest (b), 80 % load). PGlite runs the
 * database on the main thread itself, and a second worker starved it (2,740 against 3,744 events/s).
 */
export function defaultCheckWorkers(cores: number, externalDatabase: boolean): number {
  const spare = Math.min(8, cores - 1);
  return Math.max(externalDatabase && cores >= 2 ? 2 : 1, spare);
}
