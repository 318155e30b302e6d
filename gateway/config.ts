// The gateway's configuration (site.json and environment), validated with zod at start-up: the only place that reads process.env.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { BIZ_TRANSACTION_TYPES } from '../schemas/epcis/cbv.js';
import { hasValidCheckDigit } from '../schemas/gs1/check-digit.js';
import { DEVICE_ID_PATTERN } from '../schemas/topics.js';

/** What one scanner's reads become (DESIGN.md §1); `verify` asks the ledger and records nothing. */
export const SCANNER_MODES = [
  'commissioning',
  'packing',
  'shipping',
  'receiving',
  'dispensing',
  'destroying',
  'returning',
  'verify',
] as const;
export type ScannerMode = (typeof SCANNER_MODES)[number];

const gln = z
  .string()
  .regex(/^\d{13}$/, 'a GLN is 13 digits')
  .refine((v) => hasValidCheckDigit(v), 'GLN check digit is incorrect');

const sglnSchema = z.object({ gln, extension: z.string().min(1).max(20).optional() }).strict();
export type SglnConfig = z.infer<typeof sglnSchema>;

const partyAtSchema = z.object({ party: gln, location: sglnSchema.optional() }).strict();
export type PartyAtConfig = z.infer<typeof partyAtSchema>;

const bizTransactionSchema = z
  .object({
    /** A CBV 2.0 §7.3 word (`desadv`, `po`, `inv`, …) or a URI. */
    type: z.union([z.enum(BIZ_TRANSACTION_TYPES), z.string().url()]).optional(),
    /** A URI: `urn:epcglobal:cbv:bt:{gln}:{id}`, a GDTI Digital Link, or the partner's own. */
    id: z.string().regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, 'bizTransaction id must be a URI'),
  })
  .strict();
export type BizTransactionConfig = z.infer<typeof bizTransactionSchema>;

const scannerSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'scanner names are 1-32 letters, digits, . _ -'),
    /** Serial device, e.g. /dev/ttyACM0 (or a pseudo-terminal in tests). */
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).default(8),
    parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).default('none'),
    stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).default(1),
    /** `barcode`: AIM-prefixed GS1 element strings or Digital Links; `rfid`: EPC hex lines. */
    kind: z.enum(['barcode', 'rfid']).default('barcode'),
    mode: z.enum(SCANNER_MODES),
    /** Longest frame kept; longer ones are dropped whole (a frame never grows memory past this). */
    maxFrameLength: z.number().int().min(64).max(65536).default(4096),
    /** Same identity read again within this window is one read (scanner double reads, tags in the field). */
    dedupWindowMs: z.number().int().min(0).max(600_000).optional(),
    /** Sliding: every repeat extends the window (RFID tags staying in the field). Default: rfid yes, barcode no. */
    dedupSliding: z.boolean().optional(),
    /** `ack-nak`: one byte back per frame, 0x06 stored / 0x15 refused (ACK/NAK host handshake). */
    handshake: z.enum(['ack-nak', 'none']).optional(),
    /** Scanners configured not to send an AIM symbology identifier: treat frames without one as this symbology. */
    symbologyIfMissing: z.enum([']d2', ']Q3', ']C1', ']e0', ']J1']).optional(),
    /** Shipping: where the goods go. Receiving and returning: where they come from. A scanned (417)/(414) label overrides. */
    counterparty: partyAtSchema.optional(),
    /** Shipping/receiving business transaction (e.g. a despatch advice); a scanned (400)/(253) overrides. */
    bizTransaction: bizTransactionSchema.optional(),
    /** Commissioning: lot and expiry for reads that do not carry them (RFID tags, a GTIN+serial-only label). */
    lot: z.string().min(1).max(20).optional(),
    expiry: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expiry is YYYY-MM-DD')
      .optional(),
    /** Verify mode: how long to wait for the ledger's answer. */
    verifyTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
  })
  .strict();
export type ScannerConfig = z.infer<typeof scannerSchema>;

const gatewayFileSchema = z
  .object({
    /** Device id: the MQTT username and client id, and `device` in every envelope. */
    device: z.string().regex(DEVICE_ID_PATTERN, 'device id must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    site: z
      .object({
        /** The owning party's GLN (PGLN). */
        party: gln,
        /** The location the device is enrolled at: every event's readPoint. */
        location: sglnSchema,
        /** Local UTC offset written as eventTimeZoneOffset. */
        timeZoneOffset: z
          .string()
          .regex(/^[+-](0\d|1[0-4]):[0-5]\d$/, 'timeZoneOffset is ±HH:MM')
          .default('+00:00'),
        /** Used by `gateway enroll --create-site`. */
        name: z.string().min(1).optional(),
        role: z.enum(['manufacturer', 'distributor', 'pharmacy']).optional(),
      })
      .strict(),
    ledger: z
      .object({
        mqttUrl: z.string().url(),
        httpUrl: z.string().url().optional(),
        /** C2SP vkey of the ledger (GET /v1/verifier-key), inline or in a file written by `gateway enroll`. */
        verifierKey: z.string().min(1).optional(),
        verifierKeyFile: z.string().min(1).optional(),
        /** Bearer token for verify mode (a pharmacy or distributor token). */
        token: z.string().min(1).optional(),
      })
      .strict(),
    /** Ed25519 secret key (base64url), written by `gateway keygen`. */
    keyFile: z.string().min(1).default('device.key'),
    /** MQTT username/password from enrolment, written by `gateway enroll`. */
    credentialsFile: z.string().min(1).default('mqtt-credentials.json'),
    /** Outbox, rejected list and scanner sessions. */
    dataDir: z.string().min(1).default('gateway-data'),
    outbox: z
      .object({
        segmentBytes: z.number().int().min(4096).default(64 * 1024 * 1024),
        /**
         * Envelopes published and not yet receipted, at most: what a reconnect can send at once. 2,000: a drain after
         * an outage waits on the ledger's batches, not on this window (bench/gateway: 1,000 drained 3,249/s, 2,000
         * 4,393/s, 3,000 4,237/s; RSS peak 74, 78, 77 MB).
         */
        maxInFlight: z.number().int().min(1).max(10_000).default(2000),
        /** Republish an envelope whose receipt has not come after this long (a receipt can be lost). */
        receiptTimeoutMs: z.number().int().min(1000).default(30_000),
        /** Only for benchmarks on throwaway data: skip fsync. */
        fsync: z.boolean().default(true),
      })
      .strict()
      .default({ segmentBytes: 64 * 1024 * 1024, maxInFlight: 2000, receiptTimeoutMs: 30_000, fsync: true }),
    scanners: z.array(scannerSchema).min(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.scanners.forEach((s, i) => {
      if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: ['scanners', i, 'name'], message: `scanner name ${s.name} is used twice` });
      names.add(s.name);
      if (s.mode === 'verify' && !c.ledger.httpUrl) {
        ctx.addIssue({ code: 'custom', path: ['ledger', 'httpUrl'], message: 'a verify-mode scanner needs ledger.httpUrl' });
      }
    });
  });

export type GatewayFileConfig = z.input<typeof gatewayFileSchema>;

export interface GatewayConfig {
  readonly device: string;
  readonly site: {
    readonly party: string;
    readonly location: SglnConfig;
    readonly timeZoneOffset: string;
    readonly name?: string | undefined;
    readonly role?: 'manufacturer' | 'distributor' | 'pharmacy' | undefined;
  };
  readonly ledger: {
    readonly mqttUrl: string;
    readonly httpUrl?: string | undefined;
    readonly verifierKey?: string | undefined;
    readonly verifierKeyFile: string;
    readonly token?: string | undefined;
  };
  /** Absolute paths (relative ones in site.json are resolved against its folder). */
  readonly keyFile: string;
  readonly credentialsFile: string;
  readonly dataDir: string;
  readonly outbox: { readonly segmentBytes: number; readonly maxInFlight: number; readonly receiptTimeoutMs: number; readonly fsync: boolean };
  readonly scanners: readonly ScannerConfig[];
  readonly logLevel: string;
}

export type GatewayConfigResult = { ok: true; config: GatewayConfig } | { ok: false; message: string };

/** Environment variables that override the file (a container sets these rather than editing site.json). */
const envSchema = z.object({
  PEDIGREE_GATEWAY_CONFIG: z.string().min(1).optional(),
  PEDIGREE_GATEWAY_MQTT_URL: z.string().url('PEDIGREE_GATEWAY_MQTT_URL must be a URL').optional(),
  PEDIGREE_GATEWAY_HTTP_URL: z.string().url('PEDIGREE_GATEWAY_HTTP_URL must be a URL').optional(),
  PEDIGREE_GATEWAY_DATA_DIR: z.string().min(1).optional(),
  PEDIGREE_GATEWAY_TOKEN: z.string().min(1).optional(),
  PEDIGREE_GATEWAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

function issueText(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return `${prefix}${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`;
}

/** Validates a parsed site.json object; relative paths are resolved against `baseDir`. */
export function parseGatewayConfig(
  json: unknown,
  baseDir: string,
  env: Record<string, string | undefined> = {},
): GatewayConfigResult {
  const envParsed = envSchema.safeParse(env);
  if (!envParsed.success) return { ok: false, message: issueText(envParsed.error, '') };
  const e = envParsed.data;
  const parsed = gatewayFileSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: issueText(parsed.error, 'site config: ') };
  const c = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const dataDir = abs(e.PEDIGREE_GATEWAY_DATA_DIR ?? c.dataDir);
  return {
    ok: true,
    config: {
      device: c.device,
      site: c.site,
      ledger: {
        mqttUrl: e.PEDIGREE_GATEWAY_MQTT_URL ?? c.ledger.mqttUrl,
        httpUrl: e.PEDIGREE_GATEWAY_HTTP_URL ?? c.ledger.httpUrl,
        verifierKey: c.ledger.verifierKey,
        verifierKeyFile: abs(c.ledger.verifierKeyFile ?? 'ledger.vkey'),
        token: e.PEDIGREE_GATEWAY_TOKEN ?? c.ledger.token,
      },
      keyFile: abs(c.keyFile),
      credentialsFile: abs(c.credentialsFile),
      dataDir,
      outbox: c.outbox,
      scanners: c.scanners,
      logLevel: e.PEDIGREE_GATEWAY_LOG_LEVEL,
    },
  };
}

/** Reads site.json from `--config` (or PEDIGREE_GATEWAY_CONFIG) and applies the environment overrides. */
export function loadGatewayConfig(configPath: string | undefined, env: NodeJS.ProcessEnv = process.env): GatewayConfigResult {
  const path = configPath ?? env.PEDIGREE_GATEWAY_CONFIG;
  if (!path) return { ok: false, message: 'no configuration: pass --config site.json or set PEDIGREE_GATEWAY_CONFIG' };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    return { ok: false, message: `cannot read ${path}: ${(cause as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return { ok: false, message: `${path} is not JSON: ${(cause as Error).message}` };
  }
  return parseGatewayConfig(json, dirname(resolve(path)), env);
}

/** The admin token for `gateway enroll`: `--admin-token`, else PEDIGREE_ADMIN_TOKEN. */
export function adminTokenFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag ?? env.PEDIGREE_ADMIN_TOKEN;
}
