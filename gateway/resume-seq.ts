// Where a starting gateway continues its seq (DESIGN.md §3: seq increases per device and survives restarts).
//
// 1. Its own reservation (seq-reservation.ts), when the data folder still has one: exact after a clean stop, above
//    the reserved block after a crash. The outbox's own next seq counts too (it is never behind its records).
// 2. Without local state (first start, a wiped or replaced data folder): the ledger's last seq for the device
//    (`GET /v1/devices/{device}` → lastSeq), and at least where the device's current key starts (fromSeq).
// 3. Ledger unreachable as well: a time-based seq, milliseconds since 1970 × 1000. It is above every seq the device
//    used before, if those were counted up from 1 or from an earlier time-based start (a gateway does not sign a
//    thousand events a millisecond), provided the clock is right: a clock before 2025 stops the start instead.
import { z } from 'zod';
import { httpGet, type HttpAnswer } from './http-get.js';

export type ResumeSource = 'local' | 'ledger' | 'time';

export interface ResumeSeq {
  /** The seq the next event takes. */
  readonly seq: number;
  readonly source: ResumeSource;
  /** For the start-up log: why this seq. */
  readonly reason: string;
}

export interface ResumeSeqOptions {
  readonly device: string;
  /** The device's public key (base64url), to find the fromSeq of its key in the ledger's answer. */
  readonly publicKey: string;
  /** The durable reservation's last seq, undefined without local state. */
  readonly reservedThrough: number | undefined;
  readonly outboxNextSeq: number;
  readonly httpUrl?: string | undefined;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly now: Date;
}

/** Before this, a gateway's clock has not been set (no RTC battery, no NTP yet): time-based seqs would be too low. */
const EARLIEST_PLAUSIBLE_CLOCK = Date.UTC(2025, 0, 1);

/** Time-based seqs: ms × 1000 stays below 2^53 until the year 2255. */
export function timeBasedSeq(now: Date): number {
  return now.getTime() * 1000;
}

const deviceAnswerSchema = z
  .object({
    device: z.string(),
    lastSeq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable(),
    keys: z.array(z.object({ publicKey: z.string(), fromSeq: z.number().int().nonnegative() }).passthrough()).optional(),
  })
  .passthrough();

export type LedgerSeqAnswer =
  | { readonly ok: true; readonly lastSeq: number | null; readonly keyFromSeq: number | undefined }
  | { readonly ok: false; readonly reason: string };

/** Asks the ledger for the device's highest seq in the log (`GET /v1/devices/{device}`, public). */
export async function fetchLedgerLastSeq(options: {
  readonly httpUrl: string;
  readonly device: string;
  readonly publicKey: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}): Promise<LedgerSeqAnswer> {
  const url = new URL(`/v1/devices/${encodeURIComponent(options.device)}`, options.httpUrl);
  let res: HttpAnswer;
  try {
    res = await httpGet(url, { timeoutMs: options.timeoutMs ?? 5000, ...(options.fetch ? { fetch: options.fetch } : {}) });
  } catch (e) {
    return { ok: false, reason: `the ledger is not reachable at ${url.origin}: ${(e as Error).message}` };
  }
  // 404: not enrolled there, or another ledger than the one that knows this device; either way it proves nothing.
  if (res.status !== 200) return { ok: false, reason: `the ledger answered HTTP ${res.status} for ${url.pathname}` };
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    return { ok: false, reason: 'the ledger answer is not JSON' };
  }
  const parsed = deviceAnswerSchema.safeParse(json);
  if (!parsed.success || parsed.data.device !== options.device) {
    return { ok: false, reason: 'the ledger answer has no lastSeq for the device (a ledger older than the gateway?)' };
  }
  const key = parsed.data.keys?.find((k) => k.publicKey === options.publicKey);
  return { ok: true, lastSeq: parsed.data.lastSeq, keyFromSeq: key?.fromSeq };
}

export async function resumeSeq(o: ResumeSeqOptions): Promise<ResumeSeq> {
  if (o.reservedThrough !== undefined) {
    const seq = Math.max(o.outboxNextSeq, o.reservedThrough + 1);
    return { seq, source: 'local', reason: `seq reservation on disk (reserved through ${o.reservedThrough})` };
  }
  let why = 'no ledger.httpUrl to ask';
  if (o.httpUrl) {
    const answer = await fetchLedgerLastSeq({
      httpUrl: o.httpUrl,
      device: o.device,
      publicKey: o.publicKey,
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    });
    if (answer.ok) {
      const seq = Math.max(o.outboxNextSeq, (answer.lastSeq ?? 0) + 1, answer.keyFromSeq ?? 0);
      return {
        seq,
        source: 'ledger',
        reason: `no local seq state; the ledger's last seq for ${o.device} is ${answer.lastSeq ?? 'none'}${answer.keyFromSeq !== undefined ? `, its key starts at ${answer.keyFromSeq}` : ''}`,
      };
    }
    why = answer.reason;
  }
  if (o.now.getTime() < EARLIEST_PLAUSIBLE_CLOCK) {
    throw new Error(
      `cannot choose a safe seq: no local seq state, ${why}, and the clock says ${o.now.toISOString()} (not set?). Set the clock or make the ledger reachable, then start again`,
    );
  }
  const seq = Math.max(o.outboxNextSeq, timeBasedSeq(o.now));
  return { seq, source: 'time', reason: `no local seq state and ${why}: continuing from a time-based seq, above any earlier one` };
}
