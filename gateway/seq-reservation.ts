// The gateway's seq high-water mark, kept beside the outbox (not in it) so that seq survives losing the outbox
// (DESIGN.md §3: a seq used again with another event is SEQ_REUSED, a cloned device to the ledger).
//
//   <dataDir>/seq.json   {"v": 1, "device": "…", "reservedThrough": n}   replaced atomically, fsynced
//
// - Before a batch of envelopes is written to the outbox, its seqs are reserved: when the batch goes past
//   reservedThrough, the next block (blockSize seqs beyond the batch) is made durable first. One fsync'd write per
//   block, not per read; no seq on disk, hence none ever published, is above the durable reservation.
// - A clean stop writes reservedThrough = the last seq used, so the next start continues without a gap. After a
//   crash the next start continues above the whole block: up to blockSize seqs are never used (a gap the ledger sees,
//   never a reuse).
// - A missing file (first start, a wiped data folder, another device's file) is "no local state": start-gateway.ts
//   then asks the ledger for the device's last seq, or falls back to a time-based seq.
import { readFileSync } from 'node:fs';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-file.js';

export interface SeqReservationOptions {
  readonly path: string;
  readonly device: string;
  /** Seqs reserved per durable write (default 1000). */
  readonly blockSize?: number;
  readonly fsync?: boolean;
}

interface SeqFile {
  readonly v: 1;
  readonly device: string;
  readonly reservedThrough: number;
}

export class SeqReservation {
  readonly #o: SeqReservationOptions;
  readonly #blockSize: number;
  /** Durable: no seq above it has been used. */
  #reservedThrough: number | undefined;
  #writing: Promise<void> | undefined;

  private constructor(options: SeqReservationOptions, reservedThrough: number | undefined) {
    this.#o = options;
    this.#blockSize = options.blockSize ?? 1000;
    this.#reservedThrough = reservedThrough;
  }

  /** Reads the reservation; `found` is false when there is none for this device (or it is unreadable). */
  static open(options: SeqReservationOptions): SeqReservation {
    let reservedThrough: number | undefined;
    try {
      const json = JSON.parse(readFileSync(options.path, 'utf8')) as Partial<SeqFile>;
      if (json.v === 1 && json.device === options.device && Number.isSafeInteger(json.reservedThrough) && (json.reservedThrough as number) >= 0) {
        reservedThrough = json.reservedThrough as number;
      }
    } catch {
      // Missing or unreadable: no local state (the caller decides where to continue).
    }
    return new SeqReservation(options, reservedThrough);
  }

  /** Whether a reservation for this device was on disk when opened (or has been written since). */
  get found(): boolean {
    return this.#reservedThrough !== undefined;
  }

  /** No seq above this has been used; undefined without local state. */
  get reservedThrough(): number | undefined {
    return this.#reservedThrough;
  }

  /** Start-up: records durably (synchronously) that seqs through `seq` are taken, so a crash right after start is safe. */
  setFloor(seq: number): void {
    this.#writeSync(seq);
  }

  /**
   * Makes sure `lastSeq` is within the durable reservation. Undefined (nothing to wait for) in the common case;
   * otherwise a promise that resolves once the next block is on disk. Calls are serialised by the outbox.
   */
  reserve(lastSeq: number): Promise<void> | undefined {
    if (this.#reservedThrough !== undefined && lastSeq <= this.#reservedThrough) return undefined;
    const through = lastSeq + this.#blockSize;
    this.#writing = (async () => {
      await writeFileAtomic(this.#o.path, this.#text(through), { fsync: this.#o.fsync ?? true });
      this.#reservedThrough = through;
    })().finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  /** Clean stop: the reservation shrinks to the last seq used (`nextSeq - 1`), so the next start leaves no gap. */
  async release(nextSeq: number): Promise<void> {
    while (this.#writing) await this.#writing.catch(() => undefined);
    const last = nextSeq - 1;
    if (this.#reservedThrough === last) return;
    await writeFileAtomic(this.#o.path, this.#text(last), { fsync: this.#o.fsync ?? true });
    this.#reservedThrough = last;
  }

  #writeSync(through: number): void {
    writeFileAtomicSync(this.#o.path, this.#text(through), { fsync: this.#o.fsync ?? true });
    this.#reservedThrough = through;
  }

  #text(through: number): string {
    const file: SeqFile = { v: 1, device: this.#o.device, reservedThrough: through };
    return JSON.stringify(file);
  }
}
