// GS1 human-readable "bracketed" AI syntax (GS1 GenSpecs §4.15 HRI): `(01)09520123456788(10)ABC1`.

import type { Gs1ErrorCode } from '../codes.js';
import { err, ok, type Result } from '../result.js';
import { lookupAi } from './ai-table.js';
import { checkWholeValue, locateAiList, type LocatedAi } from './ai-value.js';
import { trimLineEnd } from './element-string.js';
import {
  aiListOf,
  checkInput,
  finishScan,
  resolveParseOptions,
  type Gs1AiList,
  type Gs1ParseOptions,
  type Gs1Scan,
} from './gs1-scan.js';

const OPEN = 0x28; // '('
const CLOSE = 0x29; // ')'
const BACKSLASH = 0x5c;

/**
 * Parses bracketed AI data (attacker-controlled), e.g. typed by a pharmacist or printed under a barcode.
 * A literal `(` inside a value is written `\(` (gs1-syntax-engine convention); any other character stands for
 * itself and must then pass the AI's character set. A trailing CR/LF is ignored.
 */
export function parseBracketed(raw: string, options?: Gs1ParseOptions): Result<Gs1Scan, Gs1ErrorCode> {
  const opts = resolveParseOptions(options);
  const refused = checkInput(raw, opts);
  if (refused) return refused;
  const end = trimLineEnd(raw);
  if (end === 0) return err('EMPTY_INPUT', 'input is empty');
  if (raw.charCodeAt(0) !== OPEN) return err('NOT_GS1', 'bracketed AI data starts with "("', { position: 0 });

  const items: LocatedAi[] = [];
  let p = 0;
  while (p < end) {
    // Here raw[p] is always '(' : the value scan below stops only at an unescaped '(' or at the end.
    const aiAt = p + 1;
    let close = aiAt;
    while (close < end && close - aiAt <= 4 && raw.charCodeAt(close) !== CLOSE) close++;
    if (close >= end || raw.charCodeAt(close) !== CLOSE) {
      return err('UNKNOWN_AI', 'an AI in brackets is 2 to 4 digits followed by ")"', { position: aiAt });
    }
    const ai = raw.slice(aiAt, close);
    const def = lookupAi(ai);
    if (def === undefined) {
      return err('UNKNOWN_AI', `(${ai}) is not in the GS1 Barcode Syntax Dictionary`, { position: aiAt, path: `(${ai})` });
    }

    const valueAt = close + 1;
    let value = '';
    let valueMap: number[] | undefined;
    let chunk = valueAt;
    let q = valueAt;
    for (; q < end; q++) {
      if (raw.charCodeAt(q) !== OPEN) continue;
      if (raw.charCodeAt(q - 1) === BACKSLASH) {
        // `\(` is a data '(': keep what precedes the backslash, then the bracket.
        valueMap ??= [];
        for (let i = chunk; i < q - 1; i++) valueMap.push(i);
        valueMap.push(q);
        value += raw.slice(chunk, q - 1) + '(';
        chunk = q + 1;
        continue;
      }
      break;
    }
    if (valueMap !== undefined) for (let i = chunk; i < q; i++) valueMap.push(i);
    value += raw.slice(chunk, q);

    const item: LocatedAi = valueMap === undefined ? { def, ai, value, aiAt, valueAt } : { def, ai, value, aiAt, valueAt, valueMap };
    const failure = checkWholeValue(item);
    if (failure) return failure;
    items.push(item);
    p = q;
  }
  return finishScan('bracketed', undefined, items, opts);
}

/** Writes AIs in bracketed form, escaping a data `(` as `\(`; each value is validated first. */
export function toBracketed(input: Gs1AiList): Result<string, Gs1ErrorCode> {
  const items = locateAiList(aiListOf(input));
  if (!Array.isArray(items)) return items;
  return ok(items.map((item) => `(${item.ai})${item.value.replaceAll('(', '\\(')}`).join(''));
}
