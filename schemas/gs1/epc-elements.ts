// GS1 element strings for the keys an EPC can carry: per-AI value rules and the bracketed `(ai)value` form (GenSpecs §3, §7.8).

import { hasValidCheckDigit } from './check-digit.js';
import type { Gs1ErrorCode } from '../codes.js';
import { err } from '../result.js';
import type { Err, Result } from '../result.js';
import { isInCharset } from './epc-escape.js';

/** One AI and its value, unescaped (e.g. `{ ai: '21', value: '32a/b' }`). */
export interface Gs1Element {
  readonly ai: string;
  readonly value: string;
}

const DIGITS = /^[0-9]*$/;

function lengthError(ai: string, value: string, min: number, max: number): Err<Gs1ErrorCode> | null {
  if (value.length < min) return err('AI_VALUE_TOO_SHORT', `(${ai}) needs at least ${min} characters`, { path: `(${ai})` });
  if (value.length > max) return err('AI_VALUE_TOO_LONG', `(${ai}) allows at most ${max} characters`, { path: `(${ai})` });
  return null;
}

function numeric(ai: string, value: string): Err<Gs1ErrorCode> | null {
  return DIGITS.test(value) ? null : err('INVALID_NUMERIC_CHARACTER', `(${ai}) must be digits only`, { path: `(${ai})` });
}

function checkDigit(ai: string, digits: string): Err<Gs1ErrorCode> | null {
  return hasValidCheckDigit(digits) ? null : err('INCORRECT_CHECK_DIGIT', `(${ai}) has a wrong check digit`, { path: `(${ai})` });
}

function cset(ai: string, value: string, charset: 'cset82' | 'cset39'): Err<Gs1ErrorCode> | null {
  if (isInCharset(value, charset)) return null;
  return charset === 'cset82'
    ? err('INVALID_CSET82_CHARACTER', `(${ai}) has a character outside GS1 character set 82`, { path: `(${ai})` })
    : err('INVALID_CSET39_CHARACTER', `(${ai}) has a character outside GS1 character set 39`, { path: `(${ai})` });
}

/** Nn,csum: fixed-length digits ending in a GS1 check digit. */
function fixedKey(n: number) {
  return (ai: string, v: string) => lengthError(ai, v, n, n) ?? numeric(ai, v) ?? checkDigit(ai, v);
}

function text(max: number) {
  return (ai: string, v: string) => lengthError(ai, v, 1, max) ?? cset(ai, v, 'cset82');
}

/** Value rules from the GS1 Barcode Syntax Dictionary entries of these AIs (standards/gs1/gs1-syntax-dictionary.txt). */
const AI_RULES: Readonly<Record<string, (ai: string, value: string) => Err<Gs1ErrorCode> | null>> = {
  '00': fixedKey(18), // SSCC
  '01': fixedKey(14), // GTIN
  '10': text(20), // batch/lot
  '21': text(20), // serial
  '22': text(20), // consumer product variant
  '235': text(28), // TPX
  '253': (ai, v) => lengthError(ai, v, 13, 30) ?? numeric(ai, v.slice(0, 13)) ?? checkDigit(ai, v.slice(0, 13)) ?? cset(ai, v.slice(13), 'cset82'),
  '254': text(20), // GLN extension
  '255': (ai, v) => lengthError(ai, v, 13, 25) ?? numeric(ai, v) ?? checkDigit(ai, v.slice(0, 13)),
  '401': text(30), // GINC
  '402': fixedKey(17), // GSIN
  '414': fixedKey(13), // GLN of a location
  '417': fixedKey(13), // party GLN
  '7040': (ai, v) => lengthError(ai, v, 4, 4) ?? numeric(ai, v.slice(0, 1)) ?? cset(ai, v, 'cset82'),
  '8003': (ai, v) => {
    const e = lengthError(ai, v, 14, 30) ?? numeric(ai, v.slice(0, 14)) ?? checkDigit(ai, v.slice(1, 14)) ?? cset(ai, v.slice(14), 'cset82');
    if (e) return e;
    return v[0] === '0' ? null : err('INVALID_COMPONENT', '(8003) must start with the digit 0', { path: '(8003)' });
  },
  '8004': text(30), // GIAI
  '8006': (ai, v) => {
    const e = lengthError(ai, v, 18, 18) ?? numeric(ai, v) ?? checkDigit(ai, v.slice(0, 14));
    if (e) return e;
    const piece = Number(v.slice(14, 16));
    const total = Number(v.slice(16, 18));
    // GenSpecs pieceoftotal linter: 1 ≤ piece ≤ total.
    return piece >= 1 && total >= 1 && piece <= total
      ? null
      : err('INVALID_COMPONENT', '(8006) piece number must be between 1 and the total count', { path: '(8006)' });
  },
  '8010': (ai, v) => lengthError(ai, v, 1, 30) ?? cset(ai, v, 'cset39'),
  '8011': (ai, v) => {
    const e = lengthError(ai, v, 1, 12) ?? numeric(ai, v);
    if (e) return e;
    return v.length > 1 && v[0] === '0'
      ? err('INVALID_COMPONENT', '(8011) must not start with a zero', { path: '(8011)' })
      : null;
  },
  '8017': fixedKey(18), // GSRN provider
  '8018': fixedKey(18), // GSRN recipient
  '8019': (ai, v) => lengthError(ai, v, 1, 10) ?? numeric(ai, v),
};

/** True for the AIs this module knows the value rules of. */
export function isEpcRelatedAi(ai: string): boolean {
  return Object.hasOwn(AI_RULES, ai);
}

/** Checks one AI value (attacker-controlled) against its syntax; null when valid. */
export function validateElement(element: Gs1Element): Err<Gs1ErrorCode> | null {
  const rule = AI_RULES[element.ai];
  if (!rule) return err('UNKNOWN_AI', `(${element.ai}) is not an AI this conversion knows`, { path: `(${element.ai})` });
  return rule(element.ai, element.value);
}

/** Writes the human-readable bracketed form, e.g. `(01)80614141123458(21)6789`; a `(` inside a value is written `\(`. */
export function formatEpcElementString(elements: readonly Gs1Element[]): string {
  let out = '';
  for (const { ai, value } of elements) out += `(${ai})${value.replaceAll('(', '\\(')}`;
  return out;
}

/**
 * Reads a bracketed element string (attacker-controlled) into its elements, in order. Only the syntax is
 * checked here (AI digits, `\(` escapes); values of known AIs are checked with validateElement.
 */
export function parseEpcElementString(input: string): Result<Gs1Element[], Gs1ErrorCode> {
  if (input.length === 0) return err('EMPTY_INPUT', 'the element string is empty');
  if (input.length > 512) return err('INPUT_TOO_LONG', 'the element string is longer than 512 characters');
  const elements: Gs1Element[] = [];
  let i = 0;
  while (i < input.length) {
    if (input[i] !== '(') return err('NOT_GS1', 'expected "(" before an AI', { position: i });
    const close = input.indexOf(')', i);
    const ai = close < 0 ? '' : input.slice(i + 1, close);
    if (!/^[0-9]{2,4}$/.test(ai)) return err('UNKNOWN_AI', 'an AI is 2 to 4 digits in brackets', { position: i });
    let value = '';
    let j = close + 1;
    for (; j < input.length && input[j] !== '('; j++) {
      if (input[j] === '\\' && input[j + 1] === '(') {
        value += '(';
        j++;
      } else {
        value += input[j];
      }
    }
    if (value.length === 0) return err('AI_VALUE_TOO_SHORT', `(${ai}) has no value`, { position: i, path: `(${ai})` });
    elements.push({ ai, value });
    i = j;
  }
  return { ok: true, value: elements };
}
