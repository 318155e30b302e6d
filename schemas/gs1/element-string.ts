// GS1 element strings (GS1 GenSpecs §7.8): AIs and values concatenated, FNC1 (here `^` or GS 0x1D) after variable-length AIs.

import type { Gs1ErrorCode } from '../codes.js';
import { err, ok, type Err, type Result } from '../result.js';
import { matchAiAt } from './ai-table.js';
import { aiError, lintAiValue, locateAiList, type LocatedAi } from './ai-value.js';
import {
  aiListOf,
  checkInput,
  finishScan,
  resolveParseOptions,
  type Gs1AiList,
  type Gs1ParseOptions,
  type Gs1Scan,
} from './gs1-scan.js';

export const GS = '\u001d';
const GS_CODE = 0x1d;
const CARET_CODE = 0x5e;

/** Length of s once trailing CR/LF (a scanner's line terminator) are removed. */
export function trimLineEnd(s: string): number {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 10 && c !== 13) break;
    end--;
  }
  return end;
}

/**
 * Splits s[start, end) (attacker-controlled; FNC1-in-first already consumed) into AIs, linting each value.
 * GS always separates; `^` too when caretIsFnc1 (in scanner output `^` is data, and then fails CSET 82).
 * Linear time: each step looks at most one character past the longest value the AI allows.
 */
export function parseElements(s: string, start: number, end: number, caretIsFnc1: boolean): LocatedAi[] | Err<Gs1ErrorCode> {
  const items: LocatedAi[] = [];
  let p = start;
  while (p < end) {
    const def = matchAiAt(s, p);
    if (def === undefined || p + def.ai.length > end) {
      return err('UNKNOWN_AI', `no AI of the GS1 Barcode Syntax Dictionary starts at offset ${p}`, { position: p });
    }
    const aiAt = p;
    p += def.ai.length;
    const limit = Math.min(end, p + def.maxLength + 1);
    let r = p;
    for (; r < limit; r++) {
      const c = s.charCodeAt(r);
      if (c === GS_CODE || (caretIsFnc1 && c === CARET_CODE)) break;
    }
    const result = lintAiValue(def, s, p, r);
    if (typeof result !== 'number') return aiError(result.code, def.ai, result.reason, result.at);
    items.push({ def, ai: def.ai, value: s.slice(p, p + result), aiAt, valueAt: p });
    p += result;
    if (p < end) {
      const c = s.charCodeAt(p);
      const separator = c === GS_CODE || (caretIsFnc1 && c === CARET_CODE);
      // §7.8.5: a variable-length AI must be followed by FNC1 or end the data; more characters mean it is too long.
      if (def.fnc1Required && !separator) return aiError('AI_VALUE_TOO_LONG', def.ai, `value is too long (at most ${def.maxLength})`, p);
      if (separator) p++; // FNC1 after a predefined-length AI is superfluous but tolerated, as is a trailing one.
    }
  }
  return items;
}

/**
 * Parses an element string in the notation of the GS1 Syntax Engine: FNC1 in first position is required and
 * written `^` (or GS), e.g. `^0109520123456788^10ABC1` (attacker-controlled). A trailing CR/LF is ignored.
 */
export function parseElementString(raw: string, options?: Gs1ParseOptions): Result<Gs1Scan, Gs1ErrorCode> {
  const opts = resolveParseOptions(options);
  const refused = checkInput(raw, opts);
  if (refused) return refused;
  const end = trimLineEnd(raw);
  if (end === 0) return err('EMPTY_INPUT', 'input is empty');
  const first = raw.charCodeAt(0);
  if (first !== CARET_CODE && first !== GS_CODE) {
    return err('MISSING_FNC1', 'an element string starts with FNC1 (^ or GS)', { position: 0 });
  }
  if (end === 1) return err('EMPTY_INPUT', 'no AI data after FNC1', { position: 1 });
  const items = parseElements(raw, 1, end, true);
  if (!Array.isArray(items)) return items;
  return finishScan('element-string', undefined, items, opts);
}

export interface ElementStringOptions {
  /** The character written for FNC1: `^` (default, the GS1 Syntax Engine notation) or GS as scanners transmit it. */
  readonly fnc1?: '^' | '\u001d';
}

/**
 * Writes AIs as an element string with FNC1 in first position and after every variable-length AI that is not
 * last: `^010952012345678810ABC1^2112345^17180426`. Each value is validated first.
 */
export function toElementString(input: Gs1AiList, options?: ElementStringOptions): Result<string, Gs1ErrorCode> {
  const items = locateAiList(aiListOf(input));
  if (!Array.isArray(items)) return items;
  const fnc1 = options?.fnc1 ?? '^';
  let out = fnc1;
  items.forEach((item, i) => {
    out += item.ai + item.value;
    if (item.def.fnc1Required && i < items.length - 1) out += fnc1;
  });
  return ok(out);
}
