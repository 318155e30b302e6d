// The YYMMDD century rule (GS1 GenSpecs §7.12), DD=00 and leap years, with an injected reference date.

import { describe, expect, it } from 'vitest';
import { expandYear, expandYymmdd, parseScan } from '../../../schemas/gs1/index.js';

const on = (iso: string): Date => new Date(`${iso}T12:00:00Z`);

describe('when a six-digit date is read in 2025', () => {
  const today = on('2025-06-15');

  it('puts years up to 50 ahead in this century', () => {
    expect(expandYymmdd('750101', today)).toEqual({ ok: true, value: '2075-01-01' });
    expect(expandYymmdd('260131', today)).toEqual({ ok: true, value: '2026-01-31' });
  });

  it('puts years 51 or more ahead in the previous century', () => {
    expect(expandYymmdd('760101', today)).toEqual({ ok: true, value: '1976-01-01' });
    expect(expandYymmdd('991231', today)).toEqual({ ok: true, value: '1999-12-31' });
  });

  it('keeps years up to 49 back in this century', () => {
    expect(expandYymmdd('000101', today)).toEqual({ ok: true, value: '2000-01-01' });
  });
});

describe('when a six-digit date is read near the end of a century', () => {
  it('puts years 50 or more back in the next century', () => {
    expect(expandYear(10, 2060)).toBe(2110);
    expect(expandYear(11, 2060)).toBe(2011);
    expect(expandYymmdd('100301', on('2060-01-01'))).toEqual({ ok: true, value: '2110-03-01' });
  });

  it('puts a year 51 ahead in the previous century', () => {
    expect(expandYear(51, 2000)).toBe(1951);
    expect(expandYear(50, 2000)).toBe(2050);
  });
});

describe('when the day is 00', () => {
  const today = on('2025-01-01');

  it('means the last day of the month', () => {
    expect(expandYymmdd('250400', today)).toEqual({ ok: true, value: '2025-04-30' });
    expect(expandYymmdd('251200', today)).toEqual({ ok: true, value: '2025-12-31' });
    expect(expandYymmdd('250200', today)).toEqual({ ok: true, value: '2025-02-28' });
  });

  it('means 29 February in a leap year', () => {
    expect(expandYymmdd('240200', today)).toEqual({ ok: true, value: '2024-02-29' });
    expect(expandYymmdd('000200', today)).toEqual({ ok: true, value: '2000-02-29' });
  });
});

describe('when the date does not exist', () => {
  const today = on('2025-01-01');

  it('refuses 29 February of a common year and of 2100', () => {
    expect(expandYymmdd('250229', today)).toMatchObject({ ok: false, code: 'INVALID_DATE', position: 4 });
    expect(expandYymmdd('000229', on('2070-01-01'))).toMatchObject({ ok: false, code: 'INVALID_DATE' });
  });

  it('accepts 29 February of a leap year', () => {
    expect(expandYymmdd('280229', today)).toEqual({ ok: true, value: '2028-02-29' });
  });

  it('refuses month 13, a non-digit and a wrong length', () => {
    expect(expandYymmdd('251301', today)).toMatchObject({ ok: false, code: 'INVALID_DATE', position: 2 });
    expect(expandYymmdd('25a301', today)).toMatchObject({ ok: false, code: 'INVALID_NUMERIC_CHARACTER', position: 2 });
    expect(expandYymmdd('25010', today)).toMatchObject({ ok: false, code: 'INVALID_DATE' });
  });
});

describe('when a scan carries an expiry (17)', () => {
  const gtin = ']d20109520123456788';

  it('reports it as an ISO date, resolving DD=00, relative to the injected reference date', () => {
    const scan = parseScan(`${gtin}17260200` + '10LOT1', { referenceDate: on('2025-06-01') });
    expect(scan).toMatchObject({ ok: true, value: { expiry: '2026-02-28', lot: 'LOT1' } });
  });

  it('reads 99 as 1999 today and as 2099 in 2080', () => {
    expect(parseScan(`${gtin}17991231`, { referenceDate: on('2025-01-01') })).toMatchObject({ value: { expiry: '1999-12-31' } });
    expect(parseScan(`${gtin}17991231`, { referenceDate: on('2080-01-01') })).toMatchObject({ value: { expiry: '2099-12-31' } });
  });
});
