// Canonical forms of single values in the CBV 2.0 event hash pre-hash string (timestamps, numbers, identifiers, CBV URNs).
//
// CBV 2.0 "Event hash ID" and GS1's reference implementation RalphTro/epcis-event-hash-generator
// (`hash_generator.py`: `_fix_time_stamp_format`, `_try_format_web_vocabulary`, `_try_format_numeric`,
// `dl_normaliser`). The reference is Python; where its behaviour rests on Python semantics (float
// parsing and printing, `str.strip`, banker's rounding) that semantics is reproduced here.
// Every input is attacker-controlled text from an event.

import { epcUriToDigitalLink } from '../gs1/epc-uri.js';
import { normaliseDigitalLink } from './digital-link-normaliser.js';

// Python's str.strip() whitespace (str.isspace), which differs from String.prototype.trim:
// it includes U+001C–U+001F and U+0085 and excludes U+FEFF.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`);

/** Python `str.strip()`. */
export function stripValue(text: string): string {
  if (text.length === 0) return text;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // Fast path: printable ASCII at both ends cannot be whitespace.
  if (first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) return text;
  return text.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

// ISO 8601 / RFC 3339 date-times as EPCIS writes them (date, 'T' or space, time, optional fraction and
// offset). The reference uses dateutil, which also reads other layouts; EPCIS allows only this one.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * A date-time in UTC at millisecond precision, `YYYY-MM-DDTHH:MM:SS.mmmZ` (CBV 2.0 event hash ID: timestamps normalised to UTC, ms).
 * Sub-millisecond digits are rounded half-to-even on the microsecond, as the reference does
 * (`round(microsecond, -3)`; digits past the sixth are cut first, as dateutil does). A value that is not a
 * date-time is returned unchanged. Without an offset the time is taken as UTC (the reference would use the
 * host's local zone; EPCIS requires an offset anyway).
 */
export function canonicalTimestamp(text: string): string {
  const m = DATE_TIME.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const offsetMinutes = sign === undefined ? 0 : (Number(oh) * 60 + (om === undefined ? 0 : Number(om))) * (sign === '-' ? -1 : 1);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return text;
  if (Math.abs(offsetMinutes) >= 24 * 60 || (om !== undefined && Number(om) > 59)) return text;
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() + (month === 2 && !isLeap(year) ? -1 : 0);
  if (day < 1 || day > daysInMonth) return text;

  const micro = frac === undefined ? 0 : Number(frac.slice(0, 6).padEnd(6, '0'));
  const rest = micro % 1000;
  let milli = (micro - rest) / 1000;
  if (rest > 500 || (rest === 500 && milli % 2 === 1)) milli += 1; // round half to even

  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  t.setUTCHours(hour, minute, second, 0);
  const ms = t.getTime() - offsetMinutes * 60_000 + milli;
  const utc = new Date(ms);
  const uy = utc.getUTCFullYear();
  if (!Number.isFinite(ms) || uy < 1 || uy > 9999) return text;
  return (
    `${pad(uy, 4)}-${pad(utc.getUTCMonth() + 1, 2)}-${pad(utc.getUTCDate(), 2)}` +
    `T${pad(utc.getUTCHours(), 2)}:${pad(utc.getUTCMinutes(), 2)}:${pad(utc.getUTCSeconds(), 2)}` +
    `.${pad(utc.getUTCMilliseconds(), 3)}Z`
  );
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// Python float() syntax: sign, digits with single underscores between them, optional fraction and exponent.
const PY_FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/**
 * Python's `str(float)` for a finite double: shortest round-trip digits (as JavaScript's), scientific
 * notation below 1e-4 with a two-digit exponent (`1e-05`); integral values are printed as integers
 * because the reference converts them with `int()` first.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n)) return BigInt(n).toString();
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  if (exp < -4) return `${mantissa}e-${pad(-exp, 2)}`;
  return String(n);
}

/**
 * CBV 2.0 event hash ID numeric normalisation: a value Python's float() reads is written as `formatNumber` prints
 * it (no leading zeros or "+", no trailing ".0"); other text is returned unchanged. Infinity and NaN stay
 * as written (the reference drops an event holding an infinite number; we hash it as text).
 */
export function canonicalNumber(text: string): string {
  if (!PY_FLOAT.test(text)) return text;
  const n = Number(text.includes('_') ? text.replaceAll('_', '') : text);
  return Number.isFinite(n) ? formatNumber(n) : text;
}

const CBV_URN_TO_WEB: readonly (readonly [string, string])[] = [
  ['urn:epcglobal:cbv:bizstep:', 'https://ref.gs1.org/cbv/BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-'],
  ['urn:epcglobal:cbv:btt:', 'https://ref.gs1.org/cbv/BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'https://ref.gs1.org/cbv/SDT-'],
  ['urn:epcglobal:cbv:er:', 'https://ref.gs1.org/cbv/ER-'],
];

/** CBV 2.0 event hash ID: CBV 1.x URNs (`urn:epcglobal:cbv:bizstep:shipping`) become CBV Web URIs. */
export function webVocabulary(text: string): string {
  if (!text.includes('urn:epcglobal:cbv:')) return text;
  let out = text;
  for (const [urn, web] of CBV_URN_TO_WEB) if (out.includes(urn)) out = out.split(urn).join(web);
  return out;
}

/** An EPC URI or Digital Link in its canonical Digital Link form, or undefined if it is neither. */
export function canonicalIdentifier(text: string): string | undefined {
  if (text.startsWith('urn:epc:')) {
    const dl = epcUriToDigitalLink(text);
    return dl.ok ? dl.value : undefined;
  }
  if (text.startsWith('http')) return normaliseDigitalLink(text);
  return undefined;
}

/** The reference's `_canonize_value`: CBV URN → Web URI, then number, then identifier. Input already stripped. */
export function canonicalValue(text: string): string {
  const web = webVocabulary(text);
  const numeric = canonicalNumber(web);
  return canonicalIdentifier(numeric) ?? numeric;
}
