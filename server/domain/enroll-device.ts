// Enrols a scanner gateway: its id, location and Ed25519 key, and issues its MQTT credentials (DESIGN.md §§4, 9).
import { DEVICE_ID_PATTERN } from '../../schemas/topics.js';
import type { RegistryStore } from './ports.js';
import { requireSgln } from './identifiers.js';
import { PedigreeError } from './pedigree-error.js';
import { requirePublicKey } from './require-public-key.js';

export interface MqttCredentialIssuer {
  generatePassword(): string;
  hashPassword(password: string): Promise<string>;
}

export interface EnrolledDevice {
  readonly device: string;
  readonly location: string;
  /** Shown once: the ledger keeps only its hash. */
  readonly mqtt: { readonly username: string; readonly password: string };
}

export async function enrollDevice(
  registry: RegistryStore,
  credentials: MqttCredentialIssuer,
  input: { readonly device: unknown; readonly location: unknown; readonly publicKey: unknown },
): Promise<EnrolledDevice> {
  if (typeof input.device !== 'string' || !DEVICE_ID_PATTERN.test(input.device)) {
    throw new PedigreeError('INVALID_DEVICE_ID', 'device must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  const device = input.device;
  // MQTT usernames are device ids; names starting with `pedigree-` belong to the ledger's own clients.
  if (device.startsWith('pedigree-')) throw new PedigreeError('INVALID_DEVICE_ID', 'device ids starting with "pedigree-" are reserved for the ledger');
  const { sgln } = requireSgln(input.location, 'location');
  const publicKey = requirePublicKey(input.publicKey);
  if (!(await registry.findLocation(sgln))) {
    throw new PedigreeError('LOCATION_NOT_FOUND', `location ${sgln} is not registered; create it first (POST /v1/locations)`);
  }
  const password = credentials.generatePassword();
  const inserted = await registry.insertDevice({ device, location: sgln, publicKey, mqttPasswordHash: await credentials.hashPassword(password) });
  if (!inserted) throw new PedigreeError('DEVICE_EXISTS', `device ${device} is already enrolled; rotate its key instead`);
  return { device, location: sgln, mqtt: { username: device, password } };
}
