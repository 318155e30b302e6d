// What scanners send: symbology identifiers, suffixes, keyboard-wedge input, and what is not GS1 at all.

import { describe, expect, it } from 'vitest';
import { formatScanData, parseScan } from '../../../schemas/gs1/index.js';

const GS = '\u001d';
const PHARMA = `]d20109520123456788211234567890AB${GS}10LOT42${GS}17260500`;

describe('a GS1 DataMatrix read from a medicine pack', () => {
  it('yields GTIN, serial, lot and expiry', () => {
    expect(parseScan(PHARMA, { referenceDate: new Date('2025-01-01') })).toEqual({
      ok: true,
      value: {
        source: 'element-string',
        symbology: ']d2',
        ais: [
          { ai: '01', value: '09520123456788' },
          { ai: '21', value: '1234567890AB' },
          { ai: '10', value: 'LOT42' },
          { ai: '17', value: '260500' },
        ],
        gtin: '09520123456788',
        serial: '1234567890AB',
        lot: 'LOT42',
        expiry: '2026-05-31',
      },
    });
  });

  for (const suffix of ['\r\n', '\n', '\r', '\r\n\r\n']) {
    it(`ignores the scanner suffix ${JSON.stringify(suffix)}`, () => {
      expect(parseScan(PHARMA + suffix)).toMatchObject({ ok: true, value: { lot: 'LOT42' } });
    });
  }

  it('reports positions counted from the start of what the scanner sent, prefix included', () => {
    const bad = `]d20109520123456789211234`;
    expect(parseScan(bad)).toMatchObject({ ok: false, code: 'INCORRECT_CHECK_DIGIT', position: 18, path: '(01)' });
  });

  it('treats ^ as data, not FNC1, in scanner output', () => {
    expect(parseScan(`]d20109520123456788^10LOT`)).toMatchObject({ ok: false, code: 'UNKNOWN_AI', position: 19 });
    expect(parseScan(`]d20109520123456788211^2`)).toMatchObject({ ok: false, code: 'INVALID_CSET82_CHARACTER', position: 22 });
  });
});

describe('symbology identifiers', () => {
  for (const symbology of [']d2', ']Q3', ']C1', ']e0', ']J1']) {
    it(`reads ${symbology} as an element string with FNC1 in first implied`, () => {
      expect(parseScan(`${symbology}0109520123456788${'10'}ABC`)).toMatchObject({ ok: true, value: { symbology, lot: 'ABC' } });
    });
  }

  it('reads a Digital Link in a plain DataMatrix or QR Code', () => {
    for (const symbology of [']d1', ']Q1']) {
      const r = parseScan(`${symbology}https://id.gs1.org/01/09520123456788/21/X1?17=260500`);
      expect(r).toMatchObject({ ok: true, value: { source: 'digital-link', symbology, gtin: '09520123456788', serial: 'X1' } });
    }
  });

  it('reads EAN-13 and EAN-8 as a GTIN-14', () => {
    expect(parseScan(']E02112233789657')).toMatchObject({ ok: true, value: { gtin: '02112233789657', symbology: ']E0' } });
    expect(parseScan(']E402345680')).toMatchObject({ ok: true, value: { gtin: '00000002345680' } });
    expect(parseScan(']E02112345678901')).toMatchObject({ ok: false, code: 'INCORRECT_CHECK_DIGIT', position: 15 });
    expect(parseScan(']E0211234567890')).toMatchObject({ ok: false, code: 'AI_VALUE_TOO_SHORT' });
  });

  it('raises EMPTY_INPUT for a GS1 symbology identifier with no data', () => {
    expect(parseScan(']d2')).toMatchObject({ ok: false, code: 'EMPTY_INPUT' });
    expect(parseScan(']d2\r\n')).toMatchObject({ ok: false, code: 'EMPTY_INPUT' });
  });
});

describe('input without a symbology identifier (keyboard wedge, typed)', () => {
  it('accepts a bare Digital Link, bracketed AIs and an element string with an explicit FNC1', () => {
    expect(parseScan('https://id.gs1.org/01/09520123456788/21/A1')).toMatchObject({ ok: true, value: { source: 'digital-link', serial: 'A1' } });
    expect(parseScan('HTTPS://ID.GS1.ORG/01/09520123456788/21/A1')).toMatchObject({ ok: true });
    expect(parseScan('(01)09520123456788(21)A1')).toMatchObject({ ok: true, value: { source: 'bracketed', serial: 'A1' } });
    expect(parseScan(`${GS}0109520123456788${'21'}A1`)).toMatchObject({ ok: true, value: { source: 'element-string' } });
    expect(parseScan('^0109520123456788^21A1\n')).toMatchObject({ ok: true, value: { serial: 'A1' } });
  });
});

describe('what is not GS1 data', () => {
  const cases: readonly [string, string][] = [
    ['plain data in a plain DataMatrix', ']d1TESTING'],
    ['plain data in a plain QR Code', ']Q1hello'],
    ['text without a symbology identifier', 'ABC'],
    ['digits without FNC1 or brackets', '0109520123456788'],
    ['a non-GS1 symbology', ']A0HELLO'],
    ['Code 128 without FNC1', ']C0ABC'],
    ['a URN', 'urn:epc:id:sgtin:0614141.812345.6789'],
    ['a URL of another scheme', 'ftp://id.gs1.org/01/09520123456788'],
    ['a lone bracket', ']'],
  ];
  for (const [what, raw] of cases) {
    it(`refuses ${what} with NOT_GS1`, () => {
      expect(parseScan(raw)).toMatchObject({ ok: false, code: 'NOT_GS1' });
    });
  }

  it('refuses empty input, and input that is only a line end', () => {
    expect(parseScan('')).toMatchObject({ ok: false, code: 'EMPTY_INPUT' });
    expect(parseScan('\r\n')).toMatchObject({ ok: false, code: 'EMPTY_INPUT' });
  });

  it('refuses input over the length cap unread', () => {
    expect(parseScan(`]d2${'9'.repeat(5000)}`)).toMatchObject({ ok: false, code: 'INPUT_TOO_LONG', position: 4096 });
    expect(parseScan(PHARMA, { maxLength: 10 })).toMatchObject({ ok: false, code: 'INPUT_TOO_LONG' });
  });

  it('refuses a value that is not a string', () => {
    expect(parseScan(42 as unknown as string)).toMatchObject({ ok: false, code: 'NOT_GS1' });
    expect(parseScan(null as unknown as string)).toMatchObject({ ok: false, code: 'NOT_GS1' });
  });
});

describe('writing scan data for a simulated scanner', () => {
  it('produces what a DataMatrix scanner sends, and parses back', () => {
    const ais = [
      { ai: '01', value: '09520123456788' },
      { ai: '21', value: '1234567890AB' },
      { ai: '10', value: 'LOT42' },
      { ai: '17', value: '260500' },
    ];
    expect(formatScanData(ais)).toEqual({ ok: true, value: PHARMA });
    expect(formatScanData(ais, ']Q3')).toMatchObject({ ok: true, value: PHARMA.replace(']d2', ']Q3') });
    expect(formatScanData(ais, ']d1')).toMatchObject({ ok: false, code: 'NOT_GS1' });
  });
});
