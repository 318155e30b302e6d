// The durable outbox: every signed envelope is appended and fsynced here before its read is acknowledged, read
// back in seq order for publishing, and forgotten only once the ledger's receipt has come (DESIGN.md §§1, 4).
//
// Layout of `dir` (node:fs only, no database):
//   seg-<first seq, 16 digits>.log   append-only segment files of records (outbox-record.ts); the last is active
//   acked.json                       {"ackedThrough": n}: every seq <= n has its receipt (replaced atomically)
//
// - Group commit: appends that arrive while a write+fdatasync is in flight go out together in the next one, so
//   a burst of reads costs one fsync, and each append's promise resolves only after its own fsync.
// - seq survives restarts: it is one more than the last record on disk (the active segment is never deleted,
//   however acknowledged), or the segment's name when a new one is still empty. A seq is published only after
//   it is durable, so a seq lost in a crash (reserved, never written) was never seen by anyone and may be reused.
//   The outbox alone cannot survive its own loss: the gateway keeps a seq reservation beside it (seq-reservation.ts,
//   made durable through `reserveSeqs` before any batch is written) and moves the outbox on with skipTo().
// - Seqs may jump (skipTo, or a corrupt stretch skipped by the reader): a seq that no record carries counts as
//   acknowledged, so the contiguous acknowledged point moves over the gap (`skips`, a few ranges at most).
// - A torn write at the end of the active segment (power cut mid-write) is found by its length/CRC on opening
//   and truncated away; everything before it was fsynced and is intact.
// - Memory does not grow with the backlog: the reader streams from disk with a small read-ahead, receipts above
//   the contiguous acknowledged point are a set bounded by the publisher's in-flight window, and a segment is
//   deleted once every record in it is acknowledged (and acked.json says so durably).
// - ackedThrough is persisted lazily (every ackPersistMs): after a crash some receipted envelopes are published
//   again and the ledger answers `duplicate`, which is harmless by design (DESIGN.md §4).
import { mkdirSync, readdirSync, readFileSync, statSync, openSync, readSync, closeSync, ftruncateSync, fsyncSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, writeFileAtomic } from './atomic-file.js';
import { decodeRecord, encodeRecord, type OutboxRecord } from './outbox-record.js';

export type { OutboxRecord } from './outbox-record.js';

export interface OutboxOptions {
  readonly dir: string;
  /** A new segment is started once the active one reaches this size (default 64 MiB). */
  readonly segmentBytes?: number;
  /** fdatasync each batch before acknowledging it (default true; false only for throwaway benchmarks). */
  readonly fsync?: boolean;
  /** How often the acknowledged point is written to disk (default 200 ms). */
  readonly ackPersistMs?: number;
  /** Reports problems that do not stop the outbox (an unreadable record skipped, a failed cleanup). */
  readonly onWarning?: (message: string, detail?: unknown) => void;
  /**
   * Called before each batch is written with the batch's highest seq; the batch waits for a returned promise (the
   * gateway makes its seq reservation durable there, so no seq on disk is ever above the reservation).
   */
  readonly reserveSeqs?: (lastSeq: number) => Promise<void> | undefined;
}

/** Seqs `from..to` that no record carries. */
interface SeqRange {
  from: number;
  to: number;
}

interface Segment {
  readonly firstSeq: number;
  readonly path: string;
  /** Bytes written and fsynced. */
  durableBytes: number;
  /** Last durable seq in the segment; firstSeq - 1 while empty. */
  lastSeq: number;
}

interface Pending {
  readonly seq: number;
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

export interface AppendedRecord {
  readonly seq: number;
  /** Resolves once the record is on disk (fsynced); rejects if it could not be written. */
  readonly durable: Promise<void>;
}

const SEGMENT_NAME = /^seg-(\d{16})\.log$/;
const READ_AHEAD_BYTES = 256 * 1024;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(16, '0')}.log`;
}

export class OutboxFailedError extends Error {
  override readonly name = 'OutboxFailedError';
}

export class Outbox {
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #fsync: boolean;
  readonly #ackPersistMs: number;
  readonly #warn: (message: string, detail?: unknown) => void;
  readonly #reserveSeqs: ((lastSeq: number) => Promise<void> | undefined) | undefined;
  readonly #segments: Segment[];
  #nextSeq: number;
  #lastDurableSeq: number;
  #ackedThrough: number;
  #persistedAckedThrough: number;
  readonly #ackedAbove = new Set<number>();
  /** Gaps above #ackedThrough, sorted and disjoint; #skipped counts their seqs. */
  #skips: SeqRange[] = [];
  #skipped = 0;
  // Writer.
  #handle: FileHandle | undefined;
  #queue: Pending[] = [];
  #queuedCount = 0;
  #writing: Promise<void> | undefined;
  #failed: Error | undefined;
  readonly #durableListeners = new Set<() => void>();
  // Reader.
  #cursorSegment = 0;
  #cursorOffset = 0;
  #readHandle: FileHandle | undefined;
  #readHandleSegment: Segment | undefined;
  #readBuffer = Buffer.allocUnsafe(READ_AHEAD_BYTES);
  #readAhead: OutboxRecord[] = [];
  #reading: Promise<unknown> = Promise.resolve();
  /** Highest seq the reader has passed (acknowledged or handed out); a record above it + 1 reveals a gap. */
  #lastReadSeq: number;
  // Acknowledgement persistence.
  #ackTimer: NodeJS.Timeout | undefined;
  #ackWriting: Promise<void> | undefined;
  #closed = false;

  private constructor(options: OutboxOptions, state: { segments: Segment[]; ackedThrough: number }) {
    this.#dir = options.dir;
    this.#segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.#fsync = options.fsync ?? true;
    this.#ackPersistMs = options.ackPersistMs ?? 200;
    this.#warn = options.onWarning ?? (() => {});
    this.#reserveSeqs = options.reserveSeqs;
    this.#segments = state.segments;
    const last = state.segments.at(-1);
    this.#lastDurableSeq = Math.max(last ? last.lastSeq : 0, state.ackedThrough);
    this.#nextSeq = this.#lastDurableSeq + 1;
    this.#ackedThrough = state.ackedThrough;
    this.#persistedAckedThrough = state.ackedThrough;
    this.#lastReadSeq = state.ackedThrough;
    // The reader starts at the first segment that still holds an unacknowledged record.
    const first = state.segments.findIndex((s) => s.lastSeq > state.ackedThrough);
    if (first >= 0) {
      this.#cursorSegment = first;
    } else if (last) {
      // Everything on disk is acknowledged: start reading after the end of the active segment.
      this.#cursorSegment = state.segments.length - 1;
      this.#cursorOffset = last.durableBytes;
    }
  }

  /** Opens (or creates) the outbox in `dir`, repairing a torn last write. Synchronous I/O: start-up only. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const dir = options.dir;
    mkdirSync(dir, { recursive: true });
    let ackedThrough = 0;
    try {
      const json = JSON.parse(readFileSync(join(dir, 'acked.json'), 'utf8')) as { ackedThrough?: unknown };
      if (Number.isSafeInteger(json.ackedThrough) && (json.ackedThrough as number) >= 0) ackedThrough = json.ackedThrough as number;
    } catch {
      // No acknowledgement yet (or an unreadable file: everything unacknowledged is published again, harmlessly).
    }
    const names = readdirSync(dir)
      .map((name) => ({ name, m: SEGMENT_NAME.exec(name) }))
      .filter((e): e is { name: string; m: RegExpExecArray } => e.m !== null)
      .map((e) => ({ path: join(dir, e.name), firstSeq: Number(e.m[1]) }))
      .sort((a, b) => a.firstSeq - b.firstSeq);
    const segments: Segment[] = names.map((s, i) => {
      const next = names[i + 1];
      const size = statSync(s.path).size;
      return { firstSeq: s.firstSeq, path: s.path, durableBytes: size, lastSeq: next ? next.firstSeq - 1 : s.firstSeq - 1 };
    });
    const last = segments.at(-1);
    if (last) repairActiveSegment(last, options.onWarning);
    const outbox = new Outbox(options, { segments, ackedThrough });
    await outbox.#deleteAcknowledgedSegments(ackedThrough);
    return outbox;
  }

  /** The seq the next append will take. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Highest seq on disk. */
  get lastDurableSeq(): number {
    return this.#lastDurableSeq;
  }

  /** Every seq up to this one has its receipt. */
  get ackedThrough(): number {
    return this.#ackedThrough;
  }

  /** Durable envelopes still waiting for their receipt. */
  get pending(): number {
    return this.#lastDurableSeq - this.#ackedThrough - this.#ackedAbove.size - this.#skipped;
  }

  /** Appended, not yet on disk. */
  get queued(): number {
    return this.#queuedCount;
  }

  get segmentCount(): number {
    return this.#segments.length;
  }

  get failed(): Error | undefined {
    return this.#failed;
  }

  /** Called after each batch becomes durable (the publisher pumps on it). */
  onDurable(listener: () => void): () => void {
    this.#durableListeners.add(listener);
    return () => this.#durableListeners.delete(listener);
  }

  /**
   * Moves the next seq up to `seq` (never down): the seqs in between are never used. For start-up, before the first
   * append; the gateway calls it when its seq reservation or the ledger knows of seqs the outbox does not.
   */
  skipTo(seq: number): void {
    if (!Number.isSafeInteger(seq)) throw new RangeError(`seq ${seq} is not a safe integer`);
    if (seq <= this.#nextSeq) return;
    if (this.#queue.length > 0 || this.#writing) throw new Error('skipTo: appends are in progress');
    this.#addSkip(this.#nextSeq, seq - 1);
    this.#nextSeq = seq;
    this.#lastDurableSeq = seq - 1;
    this.#advanceAcked();
  }

  /** Records that no record carries `from..to` (merged with known gaps; below the acknowledged point it is moot). */
  #addSkip(from: number, to: number): void {
    const start = Math.max(from, this.#ackedThrough + 1);
    if (start > to) return;
    for (const seq of this.#ackedAbove) if (seq >= start && seq <= to) this.#ackedAbove.delete(seq);
    const ranges = [...this.#skips, { from: start, to }].sort((a, b) => a.from - b.from);
    const merged: SeqRange[] = [];
    for (const r of ranges) {
      const last = merged.at(-1);
      if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
      else merged.push({ ...r });
    }
    this.#skips = merged;
    this.#skipped = merged.reduce((n, r) => n + (r.to - r.from + 1), 0);
  }

  #inSkip(seq: number): boolean {
    return this.#skips.some((r) => seq >= r.from && seq <= r.to);
  }

  /** Moves the contiguous acknowledged point over receipted seqs and gaps. */
  #advanceAcked(): void {
    const before = this.#ackedThrough;
    for (;;) {
      if (this.#ackedAbove.delete(this.#ackedThrough + 1)) {
        this.#ackedThrough += 1;
        continue;
      }
      const gap = this.#skips[0];
      if (gap && gap.from === this.#ackedThrough + 1) {
        this.#skips.shift();
        this.#skipped -= gap.to - gap.from + 1;
        this.#ackedThrough = gap.to;
        continue;
      }
      break;
    }
    if (this.#ackedThrough !== before && this.#ackTimer === undefined && !this.#closed) {
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = undefined;
        void this.flushAcks();
      }, this.#ackPersistMs);
    }
  }

  /**
   * Takes the next seq, builds the payload for it (the signed envelope) and queues it for the next group commit.
   * If `build` throws, the seq is not used. Appends are written in seq order.
   */
  append(build: (seq: number) => Uint8Array): AppendedRecord {
    if (this.#closed) throw new OutboxFailedError('the outbox is closed');
    if (this.#failed) throw new OutboxFailedError(`the outbox failed earlier: ${this.#failed.message}`);
    const seq = this.#nextSeq;
    const bytes = encodeRecord(seq, build(seq));
    this.#nextSeq = seq + 1;
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const durable = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#queue.push({ seq, bytes, resolve, reject });
    this.#queuedCount += 1;
    this.#writing ??= this.#drainQueue();
    return { seq, durable };
  }

  async #drainQueue(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        // One batch per write+fsync, capped so that a segment overshoots segmentBytes by at most one batch.
        const cap = Math.min(this.#segmentBytes, MAX_BATCH_BYTES);
        let count = 0;
        let bytes = 0;
        while (count < this.#queue.length && (count === 0 || bytes < cap)) bytes += (this.#queue[count++] as Pending).bytes.length;
        const batch = this.#queue.splice(0, count);
        await this.#writeBatch(batch);
        this.#queuedCount -= batch.length;
      }
    } finally {
      this.#writing = undefined;
    }
  }

  async #writeBatch(batch: Pending[]): Promise<void> {
    try {
      if (this.#failed) throw this.#failed;
      const first = batch[0] as Pending;
      const reserved = this.#reserveSeqs?.((batch[batch.length - 1] as Pending).seq);
      if (reserved) await reserved;
      let active = this.#segments.at(-1);
      if (!active || (active.durableBytes >= this.#segmentBytes && active.lastSeq >= active.firstSeq)) {
        active = await this.#roll(first.seq);
      }
      this.#handle ??= await open(active.path, 'a');
      const buf = batch.length === 1 ? first.bytes : Buffer.concat(batch.map((p) => p.bytes));
      let written = 0;
      while (written < buf.length) {
        const { bytesWritten } = await this.#handle.write(buf, written, buf.length - written);
        written += bytesWritten;
      }
      if (this.#fsync) await this.#handle.datasync();
      active.durableBytes += buf.length;
      active.lastSeq = (batch[batch.length - 1] as Pending).seq;
      this.#lastDurableSeq = active.lastSeq;
    } catch (cause) {
      // A failed write may have left part of a record: nothing more is appended after it until a restart repairs
      // the segment, and no read in this batch is acknowledged.
      const error = cause instanceof Error ? cause : new Error(String(cause));
      this.#failed ??= error;
      for (const p of batch) p.reject(new OutboxFailedError(`outbox write failed: ${error.message}`));
      return;
    }
    for (const p of batch) p.resolve();
    for (const listener of this.#durableListeners) listener();
  }

  async #roll(firstSeq: number): Promise<Segment> {
    if (this.#handle) {
      await this.#handle.close();
      this.#handle = undefined;
    }
    const segment: Segment = { firstSeq, path: join(this.#dir, segmentName(firstSeq)), durableBytes: 0, lastSeq: firstSeq - 1 };
    this.#handle = await open(segment.path, 'a');
    if (this.#fsync) await fsyncDir(this.#dir); // the new file's name must survive a power cut too
    this.#segments.push(segment);
    return segment;
  }

  #isAcked(seq: number): boolean {
    return seq <= this.#ackedThrough || this.#ackedAbove.has(seq);
  }

  /**
   * Up to `max` durable, unacknowledged records after the last one returned, in seq order. Calls are serialised.
   * Streams from disk: only a small read-ahead is held in memory, whatever the backlog.
   */
  readNext(max: number): Promise<OutboxRecord[]> {
    const result = this.#reading.then(() => this.#readNext(max));
    this.#reading = result.catch(() => undefined);
    return result;
  }

  async #readNext(max: number): Promise<OutboxRecord[]> {
    const out: OutboxRecord[] = [];
    while (out.length < max && !this.#closed) {
      if (this.#readAhead.length === 0 && !(await this.#fillReadAhead())) break;
      while (out.length < max && this.#readAhead.length > 0) {
        const record = this.#readAhead.shift() as OutboxRecord;
        if (record.seq > this.#lastReadSeq + 1) {
          // Seqs no record carries (a skipTo, a corrupt stretch skipped): nothing will ever acknowledge them.
          this.#addSkip(this.#lastReadSeq + 1, record.seq - 1);
          this.#advanceAcked();
        }
        if (record.seq > this.#lastReadSeq) this.#lastReadSeq = record.seq;
        if (!this.#isAcked(record.seq)) out.push(record);
      }
    }
    return out;
  }

  /** Decodes the next chunk of durable records into the read-ahead; false when there is nothing new on disk. */
  async #fillReadAhead(): Promise<boolean> {
    for (;;) {
      const segment = this.#segments[this.#cursorSegment];
      if (!segment) return false;
      const available = segment.durableBytes - this.#cursorOffset;
      if (available <= 0) {
        if (this.#cursorSegment >= this.#segments.length - 1) return false;
        this.#cursorSegment += 1;
        this.#cursorOffset = 0;
        continue;
      }
      if (this.#readHandleSegment !== segment) {
        await this.#readHandle?.close();
        this.#readHandle = await open(segment.path, 'r');
        this.#readHandleSegment = segment;
      }
      const want = Math.min(available, this.#readBuffer.length);
      const { bytesRead } = await (this.#readHandle as FileHandle).read(this.#readBuffer, 0, want, this.#cursorOffset);
      let offset = 0;
      while (offset < bytesRead) {
        const decoded = decodeRecord(this.#readBuffer, offset, bytesRead);
        if (decoded.kind === 'record') {
          offset += decoded.size;
          this.#readAhead.push(decoded.record);
          continue;
        }
        if (decoded.kind === 'incomplete' && offset > 0) break; // the rest comes with the next chunk
        if (decoded.kind === 'incomplete' && bytesRead < available) {
          // One record larger than the buffer: grow it and read again.
          this.#readBuffer = Buffer.allocUnsafe(this.#readBuffer.length * 2);
          break;
        }
        // Corrupt, or a torn tail in a segment that is not the active one: skip the rest of this segment.
        this.#warn(`outbox segment ${segment.path} is unreadable from byte ${this.#cursorOffset + offset}; skipping the rest of it`, {
          reason: decoded.kind === 'corrupt' ? decoded.reason : 'truncated record',
        });
        offset = available;
        break;
      }
      this.#cursorOffset += offset;
      if (this.#readAhead.length > 0) return true;
    }
  }

  /**
   * Records the ledger's final answer (accepted, duplicate or rejected) for `seq`; the envelope is then never
   * published again. Returns false for a seq that is not pending (already acknowledged, or not on disk).
   */
  ack(seq: number): boolean {
    if (seq <= this.#ackedThrough || seq > this.#lastDurableSeq || this.#ackedAbove.has(seq) || this.#inSkip(seq)) return false;
    this.#ackedAbove.add(seq);
    this.#advanceAcked();
    return true;
  }

  /** Writes the acknowledged point now and deletes segments that are wholly acknowledged. */
  async flushAcks(): Promise<void> {
    while (this.#ackWriting) await this.#ackWriting;
    const target = this.#ackedThrough;
    if (target === this.#persistedAckedThrough) return;
    this.#ackWriting = (async () => {
      try {
        await writeFileAtomic(join(this.#dir, 'acked.json'), JSON.stringify({ ackedThrough: target }), { fsync: this.#fsync });
        this.#persistedAckedThrough = target;
        await this.#deleteAcknowledgedSegments(target);
      } catch (e) {
        this.#warn('could not persist the acknowledged point; envelopes may be published again after a restart', e);
      } finally {
        this.#ackWriting = undefined;
      }
    })();
    await this.#ackWriting;
  }

  /** Deletes every non-active segment whose records are all acknowledged durably and already read past. */
  async #deleteAcknowledgedSegments(ackedThrough: number): Promise<void> {
    while (this.#segments.length > 1 && this.#cursorSegment > 0) {
      const segment = this.#segments[0] as Segment;
      if (segment.lastSeq > ackedThrough) break;
      try {
        await unlink(segment.path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.#warn(`could not delete ${segment.path}`, e);
          break;
        }
      }
      if (this.#readHandleSegment === segment) {
        await this.#readHandle?.close();
        this.#readHandle = undefined;
        this.#readHandleSegment = undefined;
      }
      this.#segments.shift();
      this.#cursorSegment -= 1;
    }
  }

  /** Waits for queued appends to be durable, persists the acknowledged point, closes files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#writing) await this.#writing;
    this.#closed = true;
    await this.#reading;
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    await this.flushAcks();
    await this.#handle?.close();
    this.#handle = undefined;
    await this.#readHandle?.close();
    this.#readHandle = undefined;
  }
}

/**
 * Scans the active (last) segment and cuts off a torn or corrupt tail: what a power cut in the middle of a write
 * leaves. Sets the segment's size and last seq from what is valid.
 */
function repairActiveSegment(segment: Segment, warn?: (message: string, detail?: unknown) => void): void {
  const fd = openSync(segment.path, 'r+');
  try {
    const size = segment.durableBytes;
    let buffer = Buffer.allocUnsafe(1024 * 1024);
    let filePos = 0;
    let bufStart = 0;
    let bufEnd = 0;
    let lastSeq = segment.firstSeq - 1;
    let validEnd = 0;
    let reason: string | undefined;
    for (;;) {
      const decoded = decodeRecord(buffer, bufStart, bufEnd);
      if (decoded.kind === 'record') {
        bufStart += decoded.size;
        validEnd += decoded.size;
        lastSeq = decoded.record.seq;
        continue;
      }
      if (decoded.kind === 'corrupt') {
        reason = decoded.reason;
        break;
      }
      if (filePos >= size) {
        if (bufEnd > bufStart) reason = 'incomplete last record';
        break;
      }
      // Need more bytes: compact, grow if one record needs it, read on.
      const leftover = bufEnd - bufStart;
      if (leftover > 0 && bufStart > 0) buffer.copy(buffer, 0, bufStart, bufEnd);
      bufStart = 0;
      bufEnd = leftover;
      if (bufEnd === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, bufEnd);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, bufEnd, Math.min(buffer.length - bufEnd, size - filePos), filePos);
      if (n <= 0) break;
      filePos += n;
      bufEnd += n;
    }
    if (validEnd < size) {
      warn?.(`outbox: cutting ${size - validEnd} bytes of a torn write off ${segment.path}`, { reason });
      ftruncateSync(fd, validEnd);
      fsyncSync(fd);
    }
    segment.durableBytes = validEnd;
    segment.lastSeq = lastSeq;
  } finally {
    closeSync(fd);
  }
}

/** The segment files of an outbox folder, oldest first (for operators, tests and benchmarks). */
export function listSegmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => SEGMENT_NAME.test(n))
    .sort()
    .map((n) => join(dir, n));
}
