// The latest signed checkpoint, cached briefly: every verification and proof is served against it, and any signed
// checkpoint will do, so a read per request is not needed. Appends in this process offer their checkpoint at once
// (LedgerStore.checkpointCommitted), so this process never serves an older one than its own receipts name; other
// processes' appends are seen within the TTL. A unit whose latest entry is newer than the cached one refreshes it.
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

  /** Takes a checkpoint just committed; kept when it is newer than the one held. */
  offer(checkpoint: StoredCheckpoint): void {
    if (!this.#value || checkpoint.size >= this.#value.size) {
      this.#value = checkpoint;
      this.#at = Date.now();
    }
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
