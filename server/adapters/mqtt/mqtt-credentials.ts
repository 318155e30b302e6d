// MQTT device credentials: generated at enrolment, stored only as Mosquitto's PBKDF2-SHA512 hash, which both the
// embedded broker (verifyMqttPassword) and a Mosquitto password file accept.
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Principal } from './topic-acl.js';

const pbkdf2Async = promisify(pbkdf2);

/**
 * Mosquitto 2.x `mosquitto_passwd` (`-H sha512-pbkdf2`, its default) writes `$7$101$<b64 12-byte salt>$<b64
 * 64-byte PBKDF2-HMAC-SHA512>`. We write the same, iterations included: the passwords are 192 random bits, so
 * key stretching adds nothing an attacker could notice, while Mosquitto verifies every CONNECT on its single
 * thread, where a reconnect storm of thousands of gateways must not stall the broker.
 */
export const MQTT_PBKDF2_ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;
/** A stored hash naming more iterations than this is treated as corrupt rather than run (CPU exhaustion). */
const MAX_ITERATIONS = 10_000_000;
const PASSWORD_BYTES = 24;

/** `$7$<iterations>$<base64 salt>$<base64 hash>`, standard padded base64 as Mosquitto writes it. */
const HASH_FORMAT = /^\$7\$([1-9][0-9]{0,7})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** What a broker needs to authenticate one username: never the password itself. */
export interface MqttCredential {
  readonly username: string;
  /** `$7$…` from hashMqttPassword. */
  readonly passwordHash: string;
}

/** An enrolled MQTT account: credential, who it is, and whether it may still connect (revoked devices may not). */
export interface MqttAccount extends MqttCredential {
  readonly principal: Principal;
  readonly active: boolean;
}

/** A fresh password for a device: 24 random bytes, base64url (32 characters, no padding). */
export function generateMqttPassword(): string {
  return randomBytes(PASSWORD_BYTES).toString('base64url');
}

export async function hashMqttPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await pbkdf2Async(password, salt, MQTT_PBKDF2_ITERATIONS, HASH_BYTES, 'sha512');
  return `$7$${MQTT_PBKDF2_ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Is `stored` a hash in the `$7$` format this module writes and Mosquitto reads? */
export function isMqttPasswordHash(stored: string): boolean {
  return parseHash(stored) !== undefined;
}

/**
 * Does `password` (attacker-controlled, the CONNECT packet's bytes) match `stored`? False, never a throw, for a
 * wrong password or a malformed stored hash. Constant-time comparison of the derived keys.
 */
export async function verifyMqttPassword(password: string | Uint8Array, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === undefined) return false;
  const derived = await pbkdf2Async(password, parsed.salt, parsed.iterations, parsed.hash.length, 'sha512');
  return timingSafeEqual(derived, parsed.hash);
}

function parseHash(stored: string): { iterations: number; salt: Buffer; hash: Buffer } | undefined {
  const m = HASH_FORMAT.exec(stored);
  if (!m) return undefined;
  const iterations = Number(m[1]);
  const salt = Buffer.from(m[2] ?? '', 'base64');
  const hash = Buffer.from(m[3] ?? '', 'base64');
  if (iterations > MAX_ITERATIONS || salt.length === 0 || hash.length !== HASH_BYTES) return undefined;
  return { iterations, salt, hash };
}
