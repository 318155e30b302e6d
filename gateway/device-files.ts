// The gateway's secrets and trust anchors on disk: its Ed25519 key, its MQTT credentials, the ledger's vkey.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeSecretKey, derivePublicKey, encodePublicKey, encodeSecretKey, generateKeyPair } from '../schemas/signing/keys.js';
import { writeFileAtomicSync } from './atomic-file.js';
import type { GatewayConfig } from './config.js';
import { ledgerTrustFromVkey, type LedgerTrust } from './ledger-messages.js';

export interface MqttCredentials {
  readonly username: string;
  readonly password: string;
}

/** Writes a new device key (mode 0600); refuses to overwrite one unless `force`. Returns the public key (base64url). */
export function generateDeviceKey(path: string, options: { force?: boolean } = {}): string {
  if (existsSync(path) && !options.force) {
    throw new Error(`${path} exists: a device keeps its key (pass --force to replace it, then rotate it in the ledger)`);
  }
  mkdirSync(dirname(path), { recursive: true });
  const keys = generateKeyPair();
  writeFileAtomicSync(path, `${encodeSecretKey(keys.secretKey)}\n`, { mode: 0o600 });
  return encodePublicKey(keys.publicKey);
}

export function loadSecretKey(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new Error(`cannot read the device key ${path}: ${(e as Error).message} (run: npm run gateway -- keygen --config site.json)`);
  }
  const key = decodeSecretKey(text);
  if (!key.ok) throw new Error(`${path}: ${key.message}`);
  return key.value;
}

export function publicKeyOf(secretKey: Uint8Array): string {
  return encodePublicKey(derivePublicKey(secretKey));
}

export function saveCredentials(path: string, credentials: MqttCredentials): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
}

export function loadCredentials(path: string): MqttCredentials {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read MQTT credentials ${path}: ${(e as Error).message} (run: npm run gateway -- enroll --config site.json)`);
  }
  const c = json as Partial<MqttCredentials>;
  if (typeof c.username !== 'string' || typeof c.password !== 'string') throw new Error(`${path} must hold {"username", "password"}`);
  return { username: c.username, password: c.password };
}

/** The ledger's key: inline in site.json, or the vkey file `gateway enroll` fetched. */
export function loadLedgerTrust(config: GatewayConfig): LedgerTrust {
  let vkey = config.ledger.verifierKey;
  if (vkey === undefined) {
    try {
      vkey = readFileSync(config.ledger.verifierKeyFile, 'utf8');
    } catch (e) {
      throw new Error(
        `no ledger key: set ledger.verifierKey or run enroll to fetch ${config.ledger.verifierKeyFile} (${(e as Error).message})`,
      );
    }
  }
  const trust = ledgerTrustFromVkey(vkey);
  if (!trust.ok) throw new Error(`ledger verifier key: ${trust.message}`);
  return trust.value;
}

export function saveVerifierKey(path: string, vkey: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, `${vkey.trim()}\n`);
}
