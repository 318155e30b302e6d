// The latest signed checkpoint, cached briefly: every verification proves against it, and any signed checkpoint
// will do, so a read per request is not needed. A unit whose latest entry is newer than the cached one refreshes it.
import type { LedgerStore, StoredCheckpoint } from './ports.js';

export class CheckpointCache {
  readonly #store: LedgerStore;
  readonly #ttlMs: number;
  #value: StoredCheckpoint | undefined;
  #at = 0;
  #loading: Promise<StoredCheckpoint | undefined> | undefined;

  constructor(store: LedgerStore, options: { ttlMs?: number } = {}) {
    this.#store = store;
    this.#ttlMs = options.ttlMs ?? 500;
  }

  /** A signed checkpoint covering at least `minSize` entries when the log has one. */
  async get(minSize = 0): Promise<StoredCheckpoint | undefined> {
    const fresh = Date.now() - this.#at < this.#ttlMs;
    if (this.#value && fresh && this.#value.size >= minSize) return this.#value;
    this.#loading ??= this.#store.latestCheckpoint().finally(() => {
      this.#loading = undefined;
    });
    const loaded = await this.#loading;
    if (loaded && (!this.#value || loaded.size >= this.#value.size)) {
      this.#value = loaded;
      this.#at = Date.now();
    }
    return this.#value;
  }
}
