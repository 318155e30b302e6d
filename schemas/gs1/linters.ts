// The GS1 Barcode Syntax Dictionary linters ("syntax tests"), re-implemented from gs1-syntax-engine src/c-lib/syntax/lint_*.c.
//
// Every linter reads s[start, end) of attacker-controlled data (a scanned component) and returns undefined when the
// component passes, else the stable error code and the offset in `s` of the first offending character. They never
// throw, allocate nothing on success and run in time linear in the component.

import { computeCheckDigit } from './check-digit.js';
import type { Gs1ErrorCode } from '../codes.js';
import type { AiCset } from './ai-entry.js';
import {
  AIDC_MEDIA_TYPES,
  ISO_3166_ALPHA2,
  ISO_3166_NUMERIC,
  ISO_4217_NUMERIC,
  PACKAGE_TYPE_CODES,
} from './code-lists.js';

export interface LintFailure {
  readonly code: Gs1ErrorCode;
  /** Offset in the linted string of the first offending character (for check digits: the check digit). */
  readonly at: number;
  readonly reason: string;
}

export type Linter = (s: string, start: number, end: number) => LintFailure | undefined;

function fail(code: Gs1ErrorCode, at: number, reason: string): LintFailure {
  return { code, at, reason };
}

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** GS1 GenSpecs §7.11 Figure 7.11-1: CSET 82, the default character set of alphanumeric AIs. */
export const CSET82 = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
/** GS1 GenSpecs §7.11 Figure 7.11-2: CSET 39. */
export const CSET39 = '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** GS1 GenSpecs §7.11 Figure 7.11-3: CSET 64 (file-safe / URI-safe base64), '=' padding handled separately. */
export const CSET64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** GS1 GenSpecs §7.9.5: the 32 characters a check character pair is drawn from. */
const CSET32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

const CSET82_TABLE = table(CSET82);
const CSET39_TABLE = table(CSET39);
const CSET64_TABLE = table(CSET64);
const IMPORTER_INDEX_TABLE = table('-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz');

function inTable(t: Uint8Array, c: number): boolean {
  return c < 128 && t[c] === 1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Offset of the first non-digit in s[start, end), or -1. */
function firstNonDigit(s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) if (!isDigit(s.charCodeAt(i))) return i;
  return -1;
}

function twoDigits(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
}

// ---- character sets -------------------------------------------------------------------------------------------

export const csetNumeric: Linter = (s, start, end) => {
  const bad = firstNonDigit(s, start, end);
  return bad < 0 ? undefined : fail('INVALID_NUMERIC_CHARACTER', bad, 'non-digit character in a numeric component');
};

export const cset82: Linter = (s, start, end) => {
  for (let i = start; i < end; i++) {
    if (!inTable(CSET82_TABLE, s.charCodeAt(i))) return fail('INVALID_CSET82_CHARACTER', i, 'character not in CSET 82');
  }
  return undefined;
};

export const cset39: Linter = (s, start, end) => {
  for (let i = start; i < end; i++) {
    if (!inTable(CSET39_TABLE, s.charCodeAt(i))) return fail('INVALID_CSET39_CHARACTER', i, 'character not in CSET 39');
  }
  return undefined;
};

/** CSET 64 with optional '=' padding: at most two, and only to a multiple of three characters (lint_cset64.c). */
export const cset64: Linter = (s, start, end) => {
  let dataEnd = end;
  while (dataEnd > start && s.charCodeAt(dataEnd - 1) === 61) dataEnd--;
  const pads = end - dataEnd;
  if (pads > 2 || (pads > 0 && (end - start) % 3 !== 0)) {
    return fail('INVALID_CSET64_CHARACTER', dataEnd, 'invalid CSET 64 padding');
  }
  for (let i = start; i < dataEnd; i++) {
    if (!inTable(CSET64_TABLE, s.charCodeAt(i))) return fail('INVALID_CSET64_CHARACTER', i, 'character not in CSET 64');
  }
  return undefined;
};

export const CSET_LINTERS: Readonly<Record<AiCset, Linter>> = { N: csetNumeric, X: cset82, Y: cset39, Z: cset64 };

// ---- check digits ---------------------------------------------------------------------------------------------

/** GS1 GenSpecs §7.9.1 mod-10 check digit over the whole component. */
export const csum: Linter = (s, start, end) => {
  const bad = firstNonDigit(s, start, end);
  if (bad >= 0) return fail('INVALID_NUMERIC_CHARACTER', bad, 'non-digit character in a check-digit component');
  if (end - start < 2) return fail('INVALID_COMPONENT', start, 'too short to carry a check digit');
  const expected = computeCheckDigit(s.slice(start, end - 1));
  return s.charCodeAt(end - 1) - 48 === expected
    ? undefined
    : fail('INCORRECT_CHECK_DIGIT', end - 1, `incorrect check digit (expected ${expected})`);
};

/** Prime weights for the alphanumeric check pair, right to left (lint_csumalpha.c; supports up to 97 data chars). */
const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109,
  113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239,
  241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379,
  383, 389, 397, 401, 409, 419, 421, 431, 433, 439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509,
];

/** GS1 GenSpecs §7.9.5 check character pair for alphanumeric keys (GMN, MUDI). */
export const csumalpha: Linter = (s, start, end) => {
  const len = end - start;
  if (len < 2) return fail('INVALID_COMPONENT', start, 'too short to carry a check character pair');
  if (len - 2 > PRIMES.length) return fail('INVALID_COMPONENT', start, 'too long for the check character pair');
  let sum = 0;
  for (let i = start, w = len - 3; i < end - 2; i++, w--) {
    const value = CSET82.indexOf(s.charAt(i));
    if (value < 0) return fail('INVALID_CSET82_CHARACTER', i, 'character not in CSET 82');
    sum += value * (PRIMES[w] ?? 0);
  }
  for (let i = end - 2; i < end; i++) {
    if (CSET32.indexOf(s.charAt(i)) < 0) return fail('INCORRECT_CHECK_DIGIT', i, 'check character not in CSET 32');
  }
  sum %= 1021;
  return s.charAt(end - 2) === CSET32.charAt(sum >> 5) && s.charAt(end - 1) === CSET32.charAt(sum & 31)
    ? undefined
    : fail('INCORRECT_CHECK_DIGIT', end - 2, 'incorrect check character pair');
};

// ---- GS1 Company Prefix (without a GCP table the engine checks only the shortest GCP: 4 digits) -------------------

const GCP_MIN_LENGTH = 4;

export const gcppos1: Linter = (s, start, end) => {
  if (end - start < GCP_MIN_LENGTH) return fail('INVALID_COMPONENT', start, 'too short to start with a GS1 Company Prefix');
  const bad = firstNonDigit(s, start, start + GCP_MIN_LENGTH);
  return bad < 0 ? undefined : fail('INVALID_COMPONENT', bad, 'does not start with a GS1 Company Prefix');
};

export const gcppos2: Linter = (s, start, end) => {
  if (end - start < 2) return fail('INVALID_COMPONENT', start, 'too short to carry a GS1 Company Prefix');
  return gcppos1(s, start + 1, end);
};

// ---- dates and times --------------------------------------------------------------------------------------------

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Validates MM and DD at s[at], s[at+2] for the given full year; DD=00 allowed when dayZeroAllowed. */
function lintMonthDay(s: string, at: number, year: number, dayZeroAllowed: boolean): LintFailure | undefined {
  const month = twoDigits(s, at);
  if (month < 1 || month > 12) return fail('INVALID_DATE', at, 'illegal month');
  const day = twoDigits(s, at + 2);
  if ((day === 0 && !dayZeroAllowed) || day > daysInMonth(year, month)) return fail('INVALID_DATE', at + 2, 'illegal day');
  return undefined;
}

/** The engine's leap-year horizon for YY (lint_yymmdd.c, CURRENT_YEAR 21): only YY=00 is affected (2000 is leap). */
function yearForLint(yy: number): number {
  const diff = yy - 21;
  return diff >= 51 ? 1900 + yy : diff > -50 ? 2000 + yy : 2100 + yy;
}

function lintYymmdd(s: string, start: number, end: number, dayZeroAllowed: boolean): LintFailure | undefined {
  if (end - start !== 6) return fail('INVALID_DATE', start, `date must be YYMMDD (6 digits), got ${end - start}`);
  const bad = firstNonDigit(s, start, end);
  if (bad >= 0) return fail('INVALID_NUMERIC_CHARACTER', bad, 'non-digit character in a date');
  return lintMonthDay(s, start + 2, yearForLint(twoDigits(s, start)), dayZeroAllowed);
}

function lintYyyymmdd(s: string, start: number, end: number, dayZeroAllowed: boolean): LintFailure | undefined {
  if (end - start !== 8) return fail('INVALID_DATE', start, `date must be YYYYMMDD (8 digits), got ${end - start}`);
  const bad = firstNonDigit(s, start, end);
  if (bad >= 0) return fail('INVALID_NUMERIC_CHARACTER', bad, 'non-digit character in a date');
  return lintMonthDay(s, start + 4, twoDigits(s, start) * 100 + twoDigits(s, start + 2), dayZeroAllowed);
}

export const yymmdd: Linter = (s, start, end) => lintYymmdd(s, start, end, false);
/** GS1 GenSpecs §7.12: DD=00 means "end of month" in AIs (11), (13), (15), (16), (17), (4324), (4325). */
export const yymmd0: Linter = (s, start, end) => lintYymmdd(s, start, end, true);
export const yyyymmdd: Linter = (s, start, end) => lintYyyymmdd(s, start, end, false);
export const yyyymmd0: Linter = (s, start, end) => lintYyyymmdd(s, start, end, true);

function lintTwoDigitTime(s: string, start: number, end: number, max: number, what: string): LintFailure | undefined {
  if (end - start !== 2) return fail('INVALID_TIME', start, `${what} must be 2 digits`);
  const bad = firstNonDigit(s, start, end);
  if (bad >= 0) return fail('INVALID_NUMERIC_CHARACTER', bad, `non-digit character in ${what}`);
  return twoDigits(s, start) > max ? fail('INVALID_TIME', start, `illegal ${what}`) : undefined;
}

export const hh: Linter = (s, start, end) => lintTwoDigitTime(s, start, end, 23, 'hour');
export const mi: Linter = (s, start, end) => lintTwoDigitTime(s, start, end, 59, 'minute');
export const ss: Linter = (s, start, end) => lintTwoDigitTime(s, start, end, 59, 'second');
export const hhmi: Linter = (s, start, end) => {
  if (end - start !== 4) return fail('INVALID_TIME', start, 'time must be HHMI (4 digits)');
  return hh(s, start, start + 2) ?? mi(s, start + 2, end);
};

// ---- single values and code lists ---------------------------------------------------------------------------------

function oneOf(allowed: string, what: string): Linter {
  return (s, start, end) =>
    end - start === 1 && allowed.includes(s.charAt(start)) ? undefined : fail('INVALID_COMPONENT', start, `not a valid ${what}`);
}

function member(list: ReadonlySet<string>, what: string): Linter {
  return (s, start, end) => (list.has(s.slice(start, end)) ? undefined : fail('INVALID_COMPONENT', start, `not ${what}`));
}

export const yesno = oneOf('01', 'yes/no flag (0 or 1)');
export const winding = oneOf('019', 'winding direction (0, 1 or 9)');
/** ISO/IEC 5218 sex codes. */
export const iso5218 = oneOf('0129', 'ISO/IEC 5218 code (0, 1, 2 or 9)');
export const iso3166 = member(ISO_3166_NUMERIC, 'an ISO 3166-1 numeric country code');
export const iso3166999: Linter = (s, start, end) =>
  end - start === 3 && s.startsWith('999', start) ? undefined : iso3166(s, start, end);
export const iso3166alpha2 = member(ISO_3166_ALPHA2, 'an ISO 3166-1 alpha-2 country code');
export const iso4217 = member(ISO_4217_NUMERIC, 'an ISO 4217 numeric currency code');
export const packagetype = member(PACKAGE_TYPE_CODES, 'a PackageTypeCode');
export const mediatype = member(AIDC_MEDIA_TYPES, 'an AIDC media type');

export const importeridx: Linter = (s, start, end) =>
  end - start === 1 && inTable(IMPORTER_INDEX_TABLE, s.charCodeAt(start))
    ? undefined
    : fail('INVALID_COMPONENT', start, 'not a valid importer index character');

export const nonzero: Linter = (s, start, end) => {
  const bad = firstNonDigit(s, start, end);
  if (bad >= 0) return fail('INVALID_NUMERIC_CHARACTER', bad, 'non-digit character');
  for (let i = start; i < end; i++) if (s.charCodeAt(i) !== 48) return undefined;
  return fail('INVALID_COMPONENT', start, 'value must not be zero');
};

export const zero: Linter = (s, start, end) => {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) !== 48) return fail('INVALID_COMPONENT', i, 'value must be zero');
  return undefined;
};

export const nozeroprefix: Linter = (s, start, end) => {
  const bad = firstNonDigit(s, start, end);
  if (bad >= 0) return fail('INVALID_NUMERIC_CHARACTER', bad, 'non-digit character');
  return end > start && s.charCodeAt(start) === 48 ? fail('INVALID_COMPONENT', start, 'illegal zero prefix') : undefined;
};

export const hasnondigit: Linter = (s, start, end) =>
  firstNonDigit(s, start, end) >= 0 ? undefined : fail('INVALID_COMPONENT', start, 'must contain a non-digit character');

export const hyphen: Linter = (s, start, end) => {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) !== 45) return fail('INVALID_COMPONENT', i, "must be '-'");
  return undefined;
};

/** RFC 3986 §2.1: every '%' must be followed by two hex digits (AIs 4300-4320, 7253-7259). */
export const pcenc: Linter = (s, start, end) => {
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) !== 37) continue;
    if (i + 2 >= end) return fail('INVALID_COMPONENT', i, 'truncated percent-encoding');
    if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return fail('INVALID_COMPONENT', i, 'invalid percent-encoding');
    i += 2;
  }
  return undefined;
};

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** PPTT: piece number then total, equal width, neither zero, piece not above total (AIs 8006, 8026). */
export const pieceoftotal: Linter = (s, start, end) => {
  const bad = firstNonDigit(s, start, end);
  if (bad >= 0) return fail('INVALID_NUMERIC_CHARACTER', bad, 'non-digit character');
  const len = end - start;
  if (len === 0 || len % 2 !== 0) return fail('INVALID_COMPONENT', start, 'piece-of-total must have an even length');
  const half = len / 2;
  const piece = s.slice(start, start + half);
  const total = s.slice(start + half, end);
  if (/^0+$/.test(piece)) return fail('INVALID_COMPONENT', start, 'piece number is zero');
  if (/^0+$/.test(total)) return fail('INVALID_COMPONENT', start + half, 'total is zero');
  return piece > total ? fail('INVALID_COMPONENT', start, 'piece number exceeds total') : undefined;
};

/** "<pos>/<end>" without zero prefixes, pos <= end (AI 7258). */
export const posinseqslash: Linter = (s, start, end) => {
  let slash = start;
  while (slash < end && isDigit(s.charCodeAt(slash))) slash++;
  if (slash === start || slash >= end - 1 || s.charCodeAt(slash) !== 47 || firstNonDigit(s, slash + 1, end) >= 0) {
    return fail('INVALID_COMPONENT', start, 'must be <position>/<end>');
  }
  if (s.charCodeAt(start) === 48) return fail('INVALID_COMPONENT', start, 'illegal zero prefix');
  if (s.charCodeAt(slash + 1) === 48) return fail('INVALID_COMPONENT', slash + 1, 'illegal zero prefix');
  const pos = s.slice(start, slash);
  const last = s.slice(slash + 1, end);
  const exceeds = pos.length > last.length || (pos.length === last.length && pos > last);
  return exceeds ? fail('INVALID_COMPONENT', start, 'position exceeds end') : undefined;
};

function lintCoordinate(s: string, start: number, end: number, max: number, what: string): LintFailure | undefined {
  if (end - start !== 10) return fail('INVALID_COMPONENT', start, `${what} must be 10 digits`);
  const bad = firstNonDigit(s, start, end);
  if (bad >= 0) return fail('INVALID_NUMERIC_CHARACTER', bad, 'non-digit character');
  return Number(s.slice(start, end)) > max ? fail('INVALID_COMPONENT', start, `${what} out of range`) : undefined;
}

/** WGS84 latitude + 90 degrees, in 1e-7 degrees (AI 4309). */
export const latitude: Linter = (s, start, end) => lintCoordinate(s, start, end, 1_800_000_000, 'latitude');
/** WGS84 longitude + 180 degrees, in 1e-7 degrees (AI 4309). */
export const longitude: Linter = (s, start, end) => lintCoordinate(s, start, end, 3_600_000_000, 'longitude');

/** ISO 13616 IBAN: country code, mod-97 check (AI 8007). */
export const iban: Linter = (s, start, end) => {
  const len = end - start;
  if (len < 4) return fail('INVALID_COMPONENT', start, 'too short for an IBAN');
  if (!ISO_3166_ALPHA2.has(s.slice(start, start + 2))) return fail('INVALID_COMPONENT', start, 'IBAN country code is not ISO 3166 alpha-2');
  if (len > 34) return fail('INVALID_COMPONENT', start, 'too long for an IBAN');
  if (len <= 10) return fail('INVALID_COMPONENT', start, 'too short for an IBAN');
  let checksum = 0;
  for (let k = 4; k < len + 4; k++) {
    const i = start + (k < len ? k : k - len);
    const c = s.charCodeAt(i);
    const value = isDigit(c) ? c - 48 : c >= 65 && c <= 90 ? c - 55 : -1;
    if (value < 0) return fail('INVALID_COMPONENT', i, 'character not allowed in an IBAN');
    checksum = ((value < 10 ? checksum * 10 : checksum * 100) + value) % 97;
  }
  return checksum === 1 ? undefined : fail('INCORRECT_CHECK_DIGIT', start + 2, 'incorrect IBAN check digits');
};

/**
 * North American coupon codes (AIs 8110, 8112). Only the all-digits rule is enforced here: the full field-by-field
 * coupon structure (lint_couponcode.c, lint_couponposoffer.c) is irrelevant to medicines and not implemented.
 */
export const couponDigits: Linter = (s, start, end) => {
  const bad = firstNonDigit(s, start, end);
  return bad < 0 ? undefined : fail('INVALID_NUMERIC_CHARACTER', bad, 'non-digit character in a coupon code');
};

/** Every linter named in the Syntax Dictionary, by name. `key` is the engine's older name for `gcppos1`. */
export const LINTERS: Readonly<Record<string, Linter>> = {
  csum,
  csumalpha,
  key: gcppos1,
  gcppos1,
  gcppos2,
  yymmdd,
  yymmd0,
  yyyymmdd,
  yyyymmd0,
  hh,
  mi,
  ss,
  hhmi,
  yesno,
  winding,
  iso5218,
  iso3166,
  iso3166999,
  iso3166alpha2,
  iso4217,
  packagetype,
  mediatype,
  importeridx,
  nonzero,
  zero,
  nozeroprefix,
  hasnondigit,
  hyphen,
  pcenc,
  pieceoftotal,
  posinseqslash,
  latitude,
  longitude,
  iban,
  couponcode: couponDigits,
  couponposoffer: couponDigits,
  cset82,
  cset39,
  cset64,
  csetnumeric: csetNumeric,
};
