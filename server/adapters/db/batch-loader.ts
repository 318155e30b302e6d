// Coalesces concurrent reads of one kind into few SQL round trips: the keys asked for while a read is being
// prepared (one turn of the event loop) go out together, and while `maxInFlight` reads are running, new keys wait
// and go out together with the next. Alone, a read leaves at once; under load each round trip serves many callers.
// A database round trip costs far more CPU (socket writes, wake-ups on both sides) than the row lookups it carries.

export interface BatchLoaderOptions {
  /** Reads running at once (default 2: one per core of a small database host). */
  readonly maxInFlight?: number;
  /** Most keys in one read (default 64). */
  readonly maxBatch?: number;
}

interface Waiter<V> {
  readonly resolve: (v: V | undefined) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * `load(keys, group)` answers distinct keys that share `group` (a value every key of one read must agree on, such
 * as a tree size); a key it leaves out of the map resolves to undefined. A failed read rejects its own callers only.
 */
export class BatchLoader<K, V, G = undefined> {
  readonly #load: (keys: readonly K[], group: G) => Promise<ReadonlyMap<K, V>>;
  readonly #maxInFlight: number;
  readonly #maxBatch: number;
  /** Keys waiting, per group, in arrival order. */
  readonly #pending = new Map<G, Map<K, Waiter<V>[]>>();
  #inFlight = 0;
  #scheduled = false;

  constructor(load: (keys: readonly K[], group: G) => Promise<ReadonlyMap<K, V>>, options: BatchLoaderOptions = {}) {
    this.#load = load;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.#maxBatch = Math.max(1, options.maxBatch ?? 64);
  }

  load(key: K, group: G): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      let keys = this.#pending.get(group);
      if (!keys) this.#pending.set(group, (keys = new Map()));
      const waiters = keys.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else keys.set(key, [{ resolve, reject }]);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight) return;
    this.#scheduled = true;
    // After the I/O callbacks of this turn: requests that arrived together are read together.
    setImmediate(() => {
      this.#scheduled = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#inFlight < this.#maxInFlight && this.#pending.size > 0) {
      const [group, keys] = this.#pending.entries().next().value as [G, Map<K, Waiter<V>[]>];
      const batch = new Map<K, Waiter<V>[]>();
      for (const [k, w] of keys) {
        if (batch.size >= this.#maxBatch) break;
        batch.set(k, w);
        keys.delete(k);
      }
      if (keys.size === 0) this.#pending.delete(group);
      this.#inFlight++;
      void this.#run(batch, group);
    }
  }

  async #run(batch: Map<K, Waiter<V>[]>, group: G): Promise<void> {
    try {
      const found = await this.#load([...batch.keys()], group);
      for (const [k, waiters] of batch) for (const w of waiters) w.resolve(found.get(k));
    } catch (e) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
    } finally {
      this.#inFlight--;
      if (this.#pending.size > 0) this.#dispatch();
    }
  }
}
