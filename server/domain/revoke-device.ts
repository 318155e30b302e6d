// Revokes a device: its later envelopes are rejected with DEVICE_REVOKED and its broker session is closed.
import type { RegistryStore } from './ports.js';
import { PedigreeError } from './pedigree-error.js';

export async function revokeDevice(registry: RegistryStore, device: string): Promise<void> {
  const found = await registry.findDevice(device);
  if (!found) throw new PedigreeError('DEVICE_NOT_FOUND', `device ${device} is not enrolled`);
  if (found.status === 'revoked') throw new PedigreeError('DEVICE_ALREADY_REVOKED', `device ${device} is already revoked`);
  await registry.setDeviceStatus(device, 'revoked');
}
