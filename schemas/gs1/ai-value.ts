// Validation of one AI value against its Syntax Dictionary components, and where in the input each character came from.

import type { Gs1ErrorCode } from '../codes.js';
import { err, type Err } from '../result.js';
import type { Gs1Ai } from './ai-entry.js';
import { lookupAi, type AiDefinition } from './ai-table.js';
import type { LintFailure } from './linters.js';

/** An AI/value pair as parsed, remembering where it sat in the original (attacker-controlled) input. */
export interface LocatedAi {
  readonly def: AiDefinition;
  readonly ai: string;
  readonly value: string;
  /** Offset of the AI's first digit in the original input. */
  readonly aiAt: number;
  /** Offset of the value's first character in the original input. */
  readonly valueAt: number;
  /** When the value was unescaped (percent-encoding, `\(`), the original offset of each value character. */
  readonly valueMap?: readonly number[];
}

/** Original-input offset of character i of the value (i may equal value.length: just past the value). */
export function valuePosition(item: LocatedAi, i: number): number {
  const map = item.valueMap;
  if (map === undefined) return item.valueAt + i;
  if (i < map.length) return map[i] ?? item.valueAt;
  return (map[map.length - 1] ?? item.valueAt - 1) + 1;
}

export function aiError(code: Gs1ErrorCode, ai: string, message: string, position: number): Err<Gs1ErrorCode> {
  return err(code, `(${ai}) ${message}`, { position, path: `(${ai})` });
}

/**
 * Runs the components of `def` over s[start, end) as gs1-syntax-engine's validate_ai_val does: each component
 * takes up to its maximum length, optional components may be absent once the data is exhausted, and every
 * component is checked by its character set then by its linters. Returns how many characters were consumed
 * (fixed-length AIs in an element string consume less than what follows), or the first failure.
 */
export function lintAiValue(def: AiDefinition, s: string, start: number, end: number): number | LintFailure {
  if (start >= end) return { code: 'AI_VALUE_TOO_SHORT', at: start, reason: 'value is empty' };
  let p = start;
  for (const part of def.components) {
    const len = Math.min(end - p, part.max);
    if (part.optional && len === 0) continue;
    if (len < part.min) return { code: 'AI_VALUE_TOO_SHORT', at: start, reason: `value is too short (at least ${def.minLength})` };
    for (const linter of part.linters) {
      const failure = linter(s, p, p + len);
      if (failure !== undefined) return failure;
    }
    p += len;
  }
  return p - start;
}

/**
 * Validates a whole, already delimited value (bracketed or Digital Link forms, or a caller's AI list): length
 * bounds first, as the engine's gs1_aiValLengthContentCheck does, then the components. Undefined when valid.
 */
export function checkWholeValue(item: LocatedAi): Err<Gs1ErrorCode> | undefined {
  const { def, value } = item;
  if (value.length < def.minLength) {
    return aiError('AI_VALUE_TOO_SHORT', def.ai, `value is too short (at least ${def.minLength})`, item.valueAt);
  }
  if (value.length > def.maxLength) {
    return aiError('AI_VALUE_TOO_LONG', def.ai, `value is too long (at most ${def.maxLength})`, valuePosition(item, def.maxLength));
  }
  const result = lintAiValue(def, value, 0, value.length);
  if (typeof result === 'number') {
    return result === value.length
      ? undefined
      : aiError('AI_VALUE_TOO_LONG', def.ai, 'value is too long', valuePosition(item, result));
  }
  return aiError(result.code, def.ai, result.reason, valuePosition(item, result.at));
}

/**
 * Validates a caller's AI list (for the formatters). Positions in errors are offsets within the offending value,
 * `path` names the AI.
 */
export function locateAiList(list: readonly Gs1Ai[] | undefined): LocatedAi[] | Err<Gs1ErrorCode> {
  if (list === undefined) return err('NOT_GS1', 'expected a list of AIs');
  const items: LocatedAi[] = [];
  for (const entry of list) {
    const ai: unknown = (entry as Partial<Gs1Ai> | null)?.ai;
    const value: unknown = (entry as Partial<Gs1Ai> | null)?.value;
    if (typeof ai !== 'string' || typeof value !== 'string') return err('NOT_GS1', 'each AI needs a string ai and value');
    const def = lookupAi(ai);
    if (def === undefined) return err('UNKNOWN_AI', `(${ai}) is not in the GS1 Barcode Syntax Dictionary`, { path: `(${ai})` });
    const item: LocatedAi = { def, ai, value, aiAt: 0, valueAt: 0 };
    const failure = checkWholeValue(item);
    if (failure) return failure;
    items.push(item);
  }
  if (items.length === 0) return err('EMPTY_INPUT', 'no AIs given');
  return items;
}
