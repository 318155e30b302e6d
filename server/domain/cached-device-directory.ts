// A short-lived cache in front of the device registry: ingest looks a device up per message.
import type { DeviceDirectory, DeviceRecord } from './ports.js';

export class CachedDeviceDirectory implements DeviceDirectory {
  readonly #inner: DeviceDirectory;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { at: number; value: Promise<DeviceRecord | undefined> }>();

  constructor(inner: DeviceDirectory, options: { ttlMs: number }) {
    this.#inner = inner;
    this.#ttlMs = options.ttlMs;
  }

  findDevice(device: string): Promise<DeviceRecord | undefined> {
    const now = Date.now();
    const hit = this.#entries.get(device);
    if (hit && now - hit.at < this.#ttlMs) return hit.value;
    // Unknown devices are cached too (attacker-chosen ids), so the map is bounded.
    if (this.#entries.size > 10_000) this.#entries.clear();
    const value = this.#inner.findDevice(device);
    this.#entries.set(device, { at: now, value });
    value.catch(() => this.#entries.delete(device));
    return value;
  }

  /** Drops a device after it was revoked or rotated in this process. */
  invalidate(device: string): void {
    this.#entries.delete(device);
  }
}
