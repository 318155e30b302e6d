// Rotates a device's signing key. The old key stays valid only for envelopes it signed before the rotation, i.e.
// seq below `fromSeq` (default: one past the highest seq the ledger holds; a gateway with a backlog passes its own).
import type { DeviceKey, RegistryStore } from './ports.js';
import { PedigreeError } from './pedigree-error.js';
import { requirePublicKey } from './require-public-key.js';

export async function rotateDeviceKey(
  registry: RegistryStore,
  device: string,
  input: { readonly publicKey: unknown; readonly fromSeq?: unknown },
): Promise<DeviceKey> {
  const publicKey = requirePublicKey(input.publicKey);
  const found = await registry.findDevice(device);
  if (!found) throw new PedigreeError('DEVICE_NOT_FOUND', `device ${device} is not enrolled`);
  if (found.status !== 'active') throw new PedigreeError('DEVICE_ALREADY_REVOKED', `device ${device} is revoked; enrol a new device`);
  const current = found.keys.at(-1);
  const highest = await registry.highestSeq(device);
  let fromSeq = highest + 1;
  if (input.fromSeq !== undefined) {
    if (typeof input.fromSeq !== 'number' || !Number.isSafeInteger(input.fromSeq) || input.fromSeq <= highest) {
      throw new PedigreeError('VALIDATION_FAILED', `fromSeq must be an integer above ${highest}, the highest seq already in the log`);
    }
    fromSeq = input.fromSeq;
  }
  if (current && fromSeq <= current.fromSeq) {
    throw new PedigreeError('VALIDATION_FAILED', `fromSeq must be above ${current.fromSeq}, where the current key starts`);
  }
  return registry.addDeviceKey(device, publicKey, fromSeq);
}
