// Finds a string the stores cannot keep in an event's jsonb query copy or a text column: U+0000 and unpaired
// UTF-16 surrogates are valid JSON (`"\u0000"`, `"\ud800"`) but PostgreSQL rejects both, so one such event in a
// batch would fail the whole append transaction, again on every resend: the event is refused before it is batched.
// The event is attacker-controlled JSON: keys are checked as well as values.
import { isWellFormedUnicode } from '../../schemas/signing/encoding.js';

/** Returns the JSON Pointer (RFC 6901) of the first unstorable key or string, or undefined when there is none. */
export function findUnstorableString(value: unknown): string | undefined {
  return walk(value, '');
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
