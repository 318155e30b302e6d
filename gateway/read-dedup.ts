// De-duplicates repeated reads of one identity: a scanner's double read, an RFID tag reported while it stays in the field.
//
// Fixed window (barcodes): a repeat within windowMs of the first read is the same read. Sliding window (RFID): every
// repeat extends it, so a tag sitting on the reader for a minute is one read. Memory is bounded by maxEntries
// (oldest dropped first) whatever the input.

export interface ReadDedupOptions {
  readonly windowMs: number;
  readonly sliding: boolean;
  /** Default 10,000 identities. */
  readonly maxEntries?: number;
}

interface Seen<T> {
  readonly value: T;
  /** When the window closes. */
  until: number;
}

export class ReadDedup<T> {
  readonly #windowMs: number;
  readonly #sliding: boolean;
  readonly #maxEntries: number;
  /** Insertion order = order of `until` (entries are re-inserted when a sliding window moves). */
  readonly #seen = new Map<string, Seen<T>>();

  constructor(options: ReadDedupOptions) {
    this.#windowMs = options.windowMs;
    this.#sliding = options.sliding;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** The value remembered for `key` when this read repeats one still in its window, else undefined. */
  repeatOf(key: string, now: number): T | undefined {
    this.#prune(now);
    const seen = this.#seen.get(key);
    if (seen === undefined || seen.until < now) return undefined;
    if (this.#sliding) {
      seen.until = now + this.#windowMs;
      this.#seen.delete(key);
      this.#seen.set(key, seen);
    }
    return seen.value;
  }

  /** Remembers a first read. */
  remember(key: string, now: number, value: T): void {
    if (this.#windowMs <= 0) return;
    this.#seen.delete(key);
    this.#seen.set(key, { value, until: now + this.#windowMs });
    while (this.#seen.size > this.#maxEntries) {
      const oldest = this.#seen.keys().next().value;
      if (oldest === undefined) break;
      this.#seen.delete(oldest);
    }
  }

  #prune(now: number): void {
    for (const [key, seen] of this.#seen) {
      if (seen.until >= now) break;
      this.#seen.delete(key);
    }
  }
}
