// What a barcode scanner transmits, by AIM symbology identifier (ISO/IEC 15424; GS1 GenSpecs §5.1.2 / §5.4.4.3).

import type { Gs1ErrorCode } from '../codes.js';
import { err, ok, type Result } from '../result.js';
import { computeCheckDigit } from './check-digit.js';
import { lookupAi } from './ai-table.js';
import { locateAiList, type LocatedAi } from './ai-value.js';
import { parseBracketed } from './bracketed.js';
import { parseDigitalLinkAt } from './digital-link.js';
import { GS, parseElements, parseElementString, trimLineEnd } from './element-string.js';
import {
  aiListOf,
  checkInput,
  finishScan,
  resolveParseOptions,
  type Gs1AiList,
  type Gs1ParseOptions,
  type Gs1Scan,
  type ResolvedParseOptions,
} from './gs1-scan.js';

/** Symbology identifiers whose data is a GS1 element string with FNC1 in first position implied. */
const GS1_ELEMENT_STRING_SYMBOLOGIES: ReadonlySet<string> = new Set([
  ']d2', // GS1 DataMatrix
  ']Q3', // GS1 QR Code
  ']C1', // GS1-128
  ']e0', // GS1 DataBar and composite components
  ']J1', // GS1 DotCode
]);

/** Symbology identifiers of plain (non-GS1) data in matrix codes: only a GS1 Digital Link URI is GS1 data there. */
const PLAIN_DATA_SYMBOLOGIES: ReadonlySet<string> = new Set([']d1', ']Q1']);

function startsWithHttp(raw: string, at: number): boolean {
  const scheme = raw.slice(at, at + 8).toLowerCase();
  return scheme === 'https://' || scheme.startsWith('http://');
}

/** EAN-13 / UPC-A (`]E0`, 13 digits) and EAN-8 (`]E4`, 8 digits) carry a GTIN and nothing else. */
function parseEanUpc(raw: string, end: number, symbology: string, options: ResolvedParseOptions): Result<Gs1Scan, Gs1ErrorCode> {
  const digits = symbology === ']E4' ? 8 : 13;
  const start = 3;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return err('INVALID_NUMERIC_CHARACTER', 'an EAN/UPC symbol carries digits only', { position: i, path: '(01)' });
  }
  if (end - start < digits) return err('AI_VALUE_TOO_SHORT', `${symbology} carries ${digits} digits`, { position: start, path: '(01)' });
  if (end - start > digits) return err('AI_VALUE_TOO_LONG', `${symbology} carries ${digits} digits`, { position: start + digits, path: '(01)' });
  const data = raw.slice(start, end);
  if (computeCheckDigit(data.slice(0, -1)) !== data.charCodeAt(digits - 1) - 48) {
    return err('INCORRECT_CHECK_DIGIT', `${symbology} check digit is incorrect`, { position: end - 1, path: '(01)' });
  }
  const def = lookupAi('01');
  if (def === undefined) return err('UNKNOWN_AI', '(01) missing from the AI table');
  const value = data.padStart(14, '0');
  const valueMap = Array.from({ length: 14 }, (_v, i) => Math.max(start, start + i - (14 - digits)));
  const item: LocatedAi = { def, ai: '01', value, aiAt: start, valueAt: start, valueMap };
  return finishScan('element-string', symbology, [item], options);
}

/**
 * Parses one read from a barcode scanner (attacker-controlled: anyone can print a barcode):
 * - `]d2` `]Q3` `]C1` `]e0` `]J1` + element string with GS (0x1D) separators, FNC1 in first implied;
 * - `]d1` / `]Q1` + `http(s)://…`: a GS1 Digital Link in a plain DataMatrix / QR Code;
 * - `]E0` / `]E4`: EAN-13, UPC-A, EAN-8, read as (01);
 * - without a symbology identifier (keyboard-wedge scanners, typed input): a Digital Link `http(s)://…`,
 *   bracketed AIs `(01)…`, or an element string with an explicit leading FNC1 (`^` or GS).
 * Anything else, including plain data such as `]d1TESTING`, is NOT_GS1. Trailing CR/LF is stripped; input
 * longer than options.maxLength (default 4096) is refused unread.
 */
export function parseScan(raw: string, options?: Gs1ParseOptions): Result<Gs1Scan, Gs1ErrorCode> {
  const opts = resolveParseOptions(options);
  const refused = checkInput(raw, opts);
  if (refused) return refused;
  const end = trimLineEnd(raw);
  if (end === 0) return err('EMPTY_INPUT', 'input is empty');

  if (raw.charCodeAt(0) === 0x5d && end >= 3) {
    // ']'
    const symbology = raw.slice(0, 3);
    if (GS1_ELEMENT_STRING_SYMBOLOGIES.has(symbology)) {
      if (end === 3) return err('EMPTY_INPUT', `${symbology} with no data`, { position: 3 });
      const items = parseElements(raw, 3, end, false);
      if (!Array.isArray(items)) return items;
      return finishScan('element-string', symbology, items, opts);
    }
    if (PLAIN_DATA_SYMBOLOGIES.has(symbology)) {
      if (startsWithHttp(raw, 3)) return parseDigitalLinkAt(raw, 3, end, opts, symbology);
      return err('NOT_GS1', `${symbology} carries plain data that is not a GS1 Digital Link`, { position: 3 });
    }
    if (symbology === ']E0' || symbology === ']E4') return parseEanUpc(raw, end, symbology, opts);
    return err('NOT_GS1', `symbology identifier ${symbology} does not carry GS1 data`, { position: 0 });
  }
  const first = raw.charCodeAt(0);
  if (first === 0x28) return parseBracketed(raw, options); // '('
  if (first === 0x5e || first === 0x1d) return parseElementString(raw, options); // '^' or GS
  if (startsWithHttp(raw, 0)) return parseDigitalLinkAt(raw, 0, end, opts, undefined);
  return err('NOT_GS1', 'no symbology identifier, Digital Link or bracketed AIs', { position: 0 });
}

/**
 * What a scanner transmits for these AIs: symbology identifier (default `]d2`, GS1 DataMatrix) then the element
 * string with GS after each variable-length AI that is not last. For simulated scanners and tests.
 */
export function formatScanData(input: Gs1AiList, symbology = ']d2'): Result<string, Gs1ErrorCode> {
  if (!GS1_ELEMENT_STRING_SYMBOLOGIES.has(symbology)) {
    return err('NOT_GS1', `${symbology} is not a GS1 element-string symbology identifier`);
  }
  const items = locateAiList(aiListOf(input));
  if (!Array.isArray(items)) return items;
  let out = symbology;
  items.forEach((item, i) => {
    out += item.ai + item.value;
    if (item.def.fnc1Required && i < items.length - 1) out += GS;
  });
  return ok(out);
}
