// Finds what the stores cannot keep in an event that is otherwise valid EPCIS. U+0000 and unpaired UTF-16
// surrogates are valid JSON (`"\u0000"`, `"\ud800"`) and a year-0000 eventTime is a valid RFC 3339 date-time, but
// PostgreSQL rejects all three (jsonb, text and timestamptz), so one such event in a batch failed the whole append
// transaction, again on every resend, and no gateway batched with it got a receipt; a leap second threw in the
// checks and the message went unanswered. The event is refused before it is batched instead. The event is attacker-controlled JSON: keys are checked as well as values.
import { isWellFormedUnicode } from '../../schemas/signing/encoding.js';
import { storableInstant } from './storable-instant.js';

export interface UnstorableValue {
  /** JSON Pointer (RFC 6901) of the value. */
  readonly pointer: string;
  readonly reason: string;
}

const UNSTORABLE_STRING = 'holds U+0000 or an unpaired surrogate, which the ledger cannot store';

/**
 * The eventTime of a schema-valid event in UTC ISO 8601 (what the stores keep): null without one, undefined when
 * it names no instant the ledger can store: RFC 3339 allows a leap second (`23:59:60`), which Date cannot hold, and
 * years outside 0001–9999 in UTC (storable-instant.ts).
 */
export function eventTimeUtc(event: unknown): string | null | undefined {
  const time = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)['eventTime'] : undefined;
  if (typeof time !== 'string') return null;
  return storableInstant(Date.parse(time));
}

/**
 * The first unstorable eventTime, key or string of an event, or undefined when there is none. `strings` false
 * skips the walk over every string (the caller knows the JSON text had no `\u` escape, the only way to write
 * either character). `eventTime`: eventTimeUtc(event), when the caller has it already.
 */
export function findUnstorableValue(event: unknown, strings = true, eventTime = eventTimeUtc(event)): UnstorableValue | undefined {
  if (eventTime === undefined) {
    const time = String((event as Record<string, unknown>)['eventTime']).slice(0, 64);
    return { pointer: '/eventTime', reason: `${time} is no instant the ledger can store (a leap second, or in UTC outside the years 0001–9999)` };
  }
  const at = strings ? walk(event, '') : undefined;
  return at === undefined ? undefined : { pointer: at, reason: UNSTORABLE_STRING };
}

function unstorable(s: string): boolean {
  return s.includes('\u0000') || !isWellFormedUnicode(s);
}

function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function walk(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return unstorable(value) ? path || '/' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}/${pointerToken(k)}`;
      if (unstorable(k)) return at;
      const found = walk(v, at);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
