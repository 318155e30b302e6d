// The ingest loop (DESIGN.md §4): check each message, gather accepted envelopes into batches, append each batch in
// one transaction, and send receipts only after its commit. A malformed message never stops ingest.
import type { RejectionCode } from '../../schemas/codes.js';
import type { Receipt } from '../../schemas/topics.js';
import type { CandidateEntry, LedgerStore, LedgerSigner, Notifier } from './ports.js';
import { checkEnvelope, type CheckEnvelopeOptions, type CheckEnvelopeResult, type RefusedEnvelope } from './check-envelope.js';
import { appendEntries, type AppendOutcome } from './append-entries.js';

const RAW_KEPT_BYTES = 4096;
const APPEND_ATTEMPTS = 3;

export interface IngestMetrics {
  received(): void;
  accepted(n: number): void;
  duplicate(n: number): void;
  rejected(code: string): void;
  batch(size: number, commitSeconds: number, treeSize: number): void;
}

export interface IngestPipelineOptions extends CheckEnvelopeOptions {
  readonly store: LedgerStore;
  readonly signer: LedgerSigner;
  readonly notifier: Notifier;
  readonly batchMax: number;
  readonly batchWaitMs: number;
  readonly metrics?: IngestMetrics;
  /** Called after each committed batch with its appended entries (custody rules, alerts hook in here). */
  readonly onAppended?: (appended: readonly AppendOutcome[]) => Promise<void> | void;
  readonly onError?: (error: unknown, context: string) => void;
  /** Runs the checks elsewhere (a worker pool); default: in this thread. */
  readonly check?: (topic: string, payload: Uint8Array) => Promise<CheckEnvelopeResult>;
}

interface Pending {
  readonly candidate: CandidateEntry;
  readonly device: string;
  readonly seq: number;
}

export class IngestPipeline {
  readonly #o: IngestPipelineOptions;
  #queue: Pending[] = [];
  #checking = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #stopped = false;

  constructor(options: IngestPipelineOptions) {
    this.#o = options;
  }

  /** Takes one message off the wire. Never throws; every outcome ends in a receipt or a recorded rejection. */
  accept(topic: string, payload: Uint8Array): void {
    if (this.#stopped) return;
    this.#o.metrics?.received();
    const p = this.#check(topic, payload).catch((e) => this.#o.onError?.(e, 'check'));
    this.#checking.add(p);
    void p.finally(() => this.#checking.delete(p));
  }

  /** Number of messages checked but not yet committed. */
  get backlog(): number {
    return this.#queue.length + this.#checking.size;
  }

  async #check(topic: string, payload: Uint8Array): Promise<void> {
    const r = this.#o.check ? await this.#o.check(topic, payload) : await checkEnvelope(topic, payload, this.#o);
    if (!r.ok) {
      await this.#reject(topic, payload, r);
      return;
    }
    this.#queue.push({ candidate: r.candidate, device: r.envelope.device, seq: r.envelope.seq });
    if (this.#queue.length >= this.#o.batchMax) this.#scheduleFlush(0);
    else this.#scheduleFlush(this.#o.batchWaitMs);
  }

  async #reject(topic: string, payload: Uint8Array, r: RefusedEnvelope): Promise<void> {
    this.#o.metrics?.rejected(r.code);
    await this.#o.store.recordRejection({
      device: r.device,
      seq: r.seq,
      code: r.code,
      detail: r.detail,
      topic: topic.slice(0, 512),
      raw: payload.slice(0, RAW_KEPT_BYTES),
      rawLength: payload.byteLength,
    });
    if (r.replyTo !== null && r.seq !== null) {
      const receipt: Receipt = { seq: r.seq, status: 'rejected', code: r.code, ...(r.eventId ? { eventID: r.eventId } : {}) };
      await this.#o.notifier.sendReceipts([{ device: r.replyTo, receipt }]);
    }
  }

  #scheduleFlush(delayMs: number): void {
    if (this.#flushing) return; // the running flush picks the queue up again when it ends
    if (this.#timer && delayMs > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushLoop().finally(() => {
        this.#flushing = undefined;
        if (this.#queue.length > 0) this.#scheduleFlush(0);
      });
    }, delayMs);
  }

  async #flushLoop(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#o.batchMax);
      try {
        await this.#appendBatch(batch);
      } catch (e) {
        // Either nothing was committed, or the batch was but its receipts did not all go out (the broker failed):
        // the gateways resend what they hold no receipt for and get `accepted` or `duplicate`; nothing is lost.
        this.#o.onError?.(e, 'append');
      }
    }
  }

  /**
   * Appends one batch and answers it; returns how many envelopes were appended or answered as duplicates or
   * rejections. `refused`: this batch is part of one the store refused for its data (see #isolateRefused).
   */
  async #appendBatch(batch: readonly Pending[], refused?: Pending[]): Promise<number> {
    if (batch.length === 0) return 0;
    const started = performance.now();
    const candidates = batch.map((p) => p.candidate);
    // A failed append committed nothing (a lost connection, a serialization failure): try it again here rather
    // than leave every gateway of the batch to resend after its receipt timeout.
    let result: Awaited<ReturnType<typeof appendEntries>>;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await appendEntries(this.#o.store, this.#o.signer, candidates);
        break;
      } catch (e) {
        if (this.#o.store.refusesData?.(e)) return this.#isolateRefused(batch, e, refused);
        if (attempt >= APPEND_ATTEMPTS || this.#stopped) throw e;
        this.#o.onError?.(e, `append failed (attempt ${attempt} of ${APPEND_ATTEMPTS}), trying again`);
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
    const seconds = (performance.now() - started) / 1000;
    this.#o.metrics?.batch(batch.length, seconds, result.treeSize);
    const receipts = result.outcomes.map((o, i) => {
      const p = batch[i]!;
      const receipt: Receipt =
        o.status === 'rejected'
          ? { code: o.code, eventID: o.eventId, seq: p.seq, status: 'rejected' }
          : { eventID: o.eventId, index: o.index, seq: p.seq, status: o.status }; // canonical key order: signed natively
      if (o.status === 'accepted') this.#o.metrics?.accepted(1);
      else if (o.status === 'duplicate') this.#o.metrics?.duplicate(1);
      else this.#o.metrics?.rejected(o.code);
      return { device: p.device, receipt };
    });
    for (const o of result.outcomes) {
      if (o.status === 'rejected') {
        const i = result.outcomes.indexOf(o);
        await this.#recordRejected(batch[i]!, o.code, o.detail);
      }
    }
    // The batch is committed: its receipts and checkpoint go out now. The next batch waits for the broker's
    // PUBACKs: letting it run ahead lost receipts on the embedded broker under concurrent batches
    // (test/server/rebuild-state.test.ts), not understood yet — see bench/RESULTS.md.
    await this.#o.notifier.sendReceipts(receipts);
    if (result.checkpoint) await this.#o.notifier.publishCheckpoint(result.checkpoint);
    if (this.#o.onAppended) await this.#o.onAppended(result.outcomes.filter((o) => o.status === 'accepted'));
    return batch.length;
  }

  /**
   * The store refused a batch for its data (an event the checks let through but a column type refuses): retrying
   * would fail the same way on every resend, and every gateway in the batch would wait for a receipt forever.
   * Halves are appended on their own until each entry at fault stands alone; those are rejected and the rest
   * appended. If nothing at all goes in, the fault is the store's (a schema or a deployment), not one event's:
   * nothing is rejected and the error stands, so the gateways resend later and nothing is lost.
   */
  async #isolateRefused(batch: readonly Pending[], error: unknown, refused: Pending[] | undefined): Promise<number> {
    if (refused && batch.length === 1) {
      refused.push(batch[0]!);
      return 0;
    }
    const found = refused ?? [];
    const half = Math.ceil(batch.length / 2);
    const answered = (await this.#appendBatch(batch.slice(0, half), found)) + (await this.#appendBatch(batch.slice(half), found));
    if (refused) return answered; // a part: the whole batch decides
    if (answered === 0) throw error;
    const code: RejectionCode = 'EPCIS_INVALID';
    for (const p of found) {
      const detail = `the store refused the event (${String((error as Error)?.message ?? error).slice(0, 300)}); correct it and send it again`;
      this.#o.onError?.(error, `the store refused ${p.device} seq ${p.seq}; rejected it with ${code}`);
      this.#o.metrics?.rejected(code);
      await this.#recordRejected(p, code, detail);
      await this.#o.notifier.sendReceipts([{ device: p.device, receipt: { code, eventID: p.candidate.eventId, seq: p.seq, status: 'rejected' } }]);
    }
    return answered + found.length;
  }

  /** Keeps a checked envelope the append refused (code, detail, bounded raw bytes) for GET /v1/rejections. */
  async #recordRejected(p: Pending, code: RejectionCode, detail: string): Promise<void> {
    await this.#o.store.recordRejection({
      device: p.device,
      seq: p.seq,
      code,
      detail,
      topic: `pedigree/v1/devices/${p.device}/events`,
      raw: p.candidate.bytes.slice(0, RAW_KEPT_BYTES),
      rawLength: p.candidate.bytes.byteLength,
    });
  }

  /** Stops taking messages, finishes the checks under way and the open batch, and sends its receipts. */
  async stop(): Promise<void> {
    this.#stopped = true;
    while (this.#checking.size > 0) await Promise.allSettled([...this.#checking]);
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#flushing) await this.#flushing;
    if (this.#queue.length > 0) await this.#flushLoop();
  }

  /** Resolves once everything taken so far is committed and answered (tests and benchmarks). */
  async drain(): Promise<void> {
    for (;;) {
      while (this.#checking.size > 0) await Promise.allSettled([...this.#checking]);
      if (this.#flushing) await this.#flushing;
      else if (this.#queue.length > 0) {
        this.#scheduleFlush(0);
        await new Promise((r) => setTimeout(r, 1));
      } else if (this.#checking.size === 0) return;
    }
  }
}
