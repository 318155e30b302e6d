// The devices a caller may list with their status (DESIGN.md §9): all of them for an admin or a regulator, else its
// own party's (the gateways at its sites).
import type { DeviceRecord, RegistryStore, TokenRecord } from './ports.js';
import { seesEverything } from './visibility-policy.js';

export async function listVisibleDevices(registry: Pick<RegistryStore, 'listDevices'>, caller: Pick<TokenRecord, 'role' | 'party'>): Promise<DeviceRecord[]> {
  const all = await registry.listDevices();
  if (seesEverything(caller)) return all;
  return caller.party === null ? [] : all.filter((d) => d.party === caller.party);
}
