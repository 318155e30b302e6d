// GS1 six-digit dates (YYMMDD) to ISO 8601 calendar dates, with the GS1 century rule and DD=00.

import type { Gs1ErrorCode } from '../codes.js';
import { err, ok, type Result } from '../result.js';
import { daysInMonth } from './linters.js';

/** The full year for a two-digit YY, per GS1 GenSpecs §7.12 (±50 years around the reference year). */
export function expandYear(yy: number, referenceYear: number): number {
  const century = Math.floor(referenceYear / 100) * 100;
  const diff = yy - (referenceYear % 100);
  // §7.12: a difference of 51..99 means the previous century, -99..-50 the next one, else the current century.
  if (diff >= 51) return century - 100 + yy;
  if (diff <= -50) return century + 100 + yy;
  return century + yy;
}

/**
 * `YYMMDD` (attacker-controlled, e.g. AI (17) expiry) to `YYYY-MM-DD`. DD=00 means the last day of the month
 * (GS1 GenSpecs §7.12), so `260200` is `2026-02-28`. The century follows §7.12 around `referenceDate`
 * (default: now, UTC), which tests inject.
 */
export function expandYymmdd(yymmdd: string, referenceDate: Date = new Date()): Result<string, Gs1ErrorCode> {
  if (typeof yymmdd !== 'string' || yymmdd.length !== 6) {
    return err('INVALID_DATE', 'a GS1 date is six digits YYMMDD', { position: 0 });
  }
  for (let i = 0; i < 6; i++) {
    const c = yymmdd.charCodeAt(i);
    if (c < 48 || c > 57) return err('INVALID_NUMERIC_CHARACTER', 'a GS1 date is six digits YYMMDD', { position: i });
  }
  const referenceYear = referenceDate.getUTCFullYear();
  if (!Number.isFinite(referenceYear)) return err('INVALID_DATE', 'the reference date is not a valid date');
  const year = expandYear(Number(yymmdd.slice(0, 2)), referenceYear);
  const month = Number(yymmdd.slice(2, 4));
  if (month < 1 || month > 12) return err('INVALID_DATE', `illegal month in ${yymmdd}`, { position: 2 });
  const last = daysInMonth(year, month);
  const dd = Number(yymmdd.slice(4, 6));
  if (dd > last) return err('INVALID_DATE', `illegal day in ${yymmdd} (${year})`, { position: 4 });
  const day = dd === 0 ? last : dd;
  return ok(`${String(year).padStart(4, '0')}-${yymmdd.slice(2, 4)}-${String(day).padStart(2, '0')}`);
}
