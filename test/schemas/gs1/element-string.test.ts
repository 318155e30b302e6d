// Element strings (^ = FNC1) and their conversion back, AI association rules, bracketed form.

import { describe, expect, it } from 'vitest';
import {
  parseBracketed,
  parseElementString,
  toBracketed,
  toElementString,
} from '../../../schemas/gs1/index.js';

const GS = '\u001d';

describe('parsing an element string', () => {
  it('splits predefined-length AIs without separators and variable-length ones at FNC1', () => {
    const r = parseElementString('^0109520123456788211234^10ABC^17260500');
    expect(r).toMatchObject({
      ok: true,
      value: {
        source: 'element-string',
        ais: [
          { ai: '01', value: '09520123456788' },
          { ai: '21', value: '1234' },
          { ai: '10', value: 'ABC' },
          { ai: '17', value: '260500' },
        ],
        gtin: '09520123456788',
        serial: '1234',
        lot: 'ABC',
      },
    });
  });

  it('accepts GS as FNC1 as well as ^, and a trailing CR/LF', () => {
    const r = parseElementString(`${GS}0109520123456788211234${GS}10ABC\r\n`);
    expect(r).toMatchObject({ ok: true, value: { serial: '1234', lot: 'ABC' } });
  });

  it('tolerates FNC1 after a predefined-length AI and at the very end', () => {
    expect(parseElementString('^0109520123456788^211234^')).toMatchObject({ ok: true, value: { serial: '1234' } });
  });

  it('raises MISSING_FNC1 when FNC1 is not in first position', () => {
    expect(parseElementString('0109520123456788')).toMatchObject({ ok: false, code: 'MISSING_FNC1', position: 0 });
  });

  it('raises EMPTY_INPUT for nothing, or only FNC1', () => {
    expect(parseElementString('')).toMatchObject({ ok: false, code: 'EMPTY_INPUT' });
    expect(parseElementString('^')).toMatchObject({ ok: false, code: 'EMPTY_INPUT' });
  });

  it('raises UNKNOWN_AI at the offset of data that starts no known AI', () => {
    expect(parseElementString('^0109520123456788^891234')).toMatchObject({ ok: false, code: 'UNKNOWN_AI', position: 18 });
    expect(parseElementString('^0109520123456788^^10A')).toMatchObject({ ok: false, code: 'UNKNOWN_AI', position: 18 });
  });

  it('raises AI_VALUE_TOO_LONG at the first character past the longest allowed serial', () => {
    const serial = 'A'.repeat(21);
    expect(parseElementString(`^010952012345678821${serial}`)).toMatchObject({
      ok: false,
      code: 'AI_VALUE_TOO_LONG',
      position: 19 + 20,
      path: '(21)',
    });
  });

  it('raises AI_VALUE_TOO_SHORT for a truncated GTIN and for an empty value', () => {
    expect(parseElementString('^01095201234567')).toMatchObject({ ok: false, code: 'AI_VALUE_TOO_SHORT', path: '(01)' });
    expect(parseElementString('^0109520123456788^10^21A')).toMatchObject({ ok: false, code: 'AI_VALUE_TOO_SHORT', path: '(10)' });
  });

  it('reports the first bad character of a later AI at its offset in the input', () => {
    expect(parseElementString('^0109520123456788^10AB~C')).toMatchObject({ code: 'INVALID_CSET82_CHARACTER', position: 22 });
    expect(parseElementString('^0109520123456788^17261301')).toMatchObject({ code: 'INVALID_DATE', position: 22, path: '(17)' });
    expect(parseElementString('^0109520123456788^172602301')).toMatchObject({ code: 'INVALID_DATE', position: 24 });
    expect(parseElementString('^00123456789012345670')).toMatchObject({ code: 'INCORRECT_CHECK_DIGIT', position: 20, path: '(00)' });
  });

  it('refuses a value with characters outside its character set', () => {
    expect(parseElementString('^0109520123456788^10AB C')).toMatchObject({ code: 'INVALID_CSET82_CHARACTER' });
    expect(parseElementString('^8010a123')).toMatchObject({ code: 'INVALID_CSET39_CHARACTER', position: 5 });
    expect(parseElementString('^0109520123456788^21A^8030AB!C')).toMatchObject({ code: 'INVALID_CSET64_CHARACTER' });
  });

  it('applies component linters such as the country code of (422)', () => {
    expect(parseElementString('^0109520123456788422276')).toMatchObject({ ok: true });
    expect(parseElementString('^0109520123456788422999')).toMatchObject({ code: 'INVALID_COMPONENT', position: 20, path: '(422)' });
  });
});

describe('writing an element string', () => {
  it('puts FNC1 in first position and after variable-length AIs that are not last', () => {
    const ais = [
      { ai: '01', value: '09520123456788' },
      { ai: '10', value: 'ABC1' },
      { ai: '21', value: '12345' },
      { ai: '17', value: '180426' },
    ];
    expect(toElementString(ais)).toEqual({ ok: true, value: '^010952012345678810ABC1^2112345^17180426' });
    expect(toElementString(ais, { fnc1: GS })).toEqual({ ok: true, value: `${GS}010952012345678810ABC1${GS}2112345${GS}17180426` });
  });

  it('validates what it writes', () => {
    expect(toElementString([{ ai: '01', value: '09520123456789' }])).toMatchObject({ ok: false, code: 'INCORRECT_CHECK_DIGIT' });
    expect(toElementString([{ ai: '89', value: 'X' }])).toMatchObject({ ok: false, code: 'UNKNOWN_AI' });
    expect(toElementString([])).toMatchObject({ ok: false, code: 'EMPTY_INPUT' });
    expect(toElementString([{ ai: '10', value: '' }])).toMatchObject({ ok: false, code: 'AI_VALUE_TOO_SHORT' });
  });

  it('round-trips through parsing', () => {
    const raw = '^0109520123456788211234^10ABC^17260500';
    const r = parseElementString(raw);
    expect(r.ok && toElementString(r.value)).toEqual({ ok: true, value: raw });
  });
});

describe('AI association rules', () => {
  describe('when a serial (21) comes without a GTIN (01)', () => {
    it('raises MISSING_REQUIRED_AI at the serial', () => {
      expect(parseElementString('^21ABC')).toMatchObject({ ok: false, code: 'MISSING_REQUIRED_AI', path: '(21)', position: 1 });
    });
    it('accepts it when the rules are switched off', () => {
      expect(parseElementString('^21ABC', { validateAssociations: false })).toMatchObject({ ok: true });
    });
  });

  it('accepts a requirement satisfied by any alternative, in any order', () => {
    expect(parseBracketed('(21)ABC123(01)12345678901231')).toMatchObject({ ok: true });
    expect(parseBracketed('(02)12345678901231(37)123(00)123456789012345675')).toMatchObject({ ok: true });
  });

  it('needs every member of an all-of group: (7004) requires (01) and (10)', () => {
    expect(parseBracketed('(01)09520123456788(7004)12')).toMatchObject({ ok: false, code: 'MISSING_REQUIRED_AI', path: '(7004)' });
    expect(parseBracketed('(01)09520123456788(10)A(7004)12')).toMatchObject({ ok: true });
  });

  it('needs every req= group: (250) requires (01) or (8006), and (21)', () => {
    expect(parseBracketed('(01)09520123456788(250)X')).toMatchObject({ code: 'MISSING_REQUIRED_AI', path: '(250)' });
    expect(parseBracketed('(01)09520123456788(21)S(250)X')).toMatchObject({ ok: true });
  });

  it('matches patterns such as 31nn in a requirement', () => {
    expect(parseBracketed('(01)09520123456788(3103)000195(3922)0299')).toMatchObject({ ok: true });
    expect(parseBracketed('(01)09520123456788(3922)0299')).toMatchObject({ code: 'MISSING_REQUIRED_AI', path: '(3922)' });
  });

  describe('when two AIs exclude each other', () => {
    it('raises EXCLUDED_AI_PAIR at the later one', () => {
      expect(parseBracketed('(01)12345678901231(02)12345678901231')).toMatchObject({
        code: 'EXCLUDED_AI_PAIR',
        path: '(02)',
        position: 19,
      });
    });
    it('matches exclusion patterns such as 310n, but an AI never excludes itself', () => {
      expect(parseBracketed('(01)09520123456788(3100)000100(3101)000010')).toMatchObject({ code: 'EXCLUDED_AI_PAIR', path: '(3101)' });
      expect(parseBracketed('(01)09520123456788(3100)000100(3100)000100')).toMatchObject({ ok: true });
    });
    it('checks exclusions before requirements, as the engine does', () => {
      expect(parseBracketed('(21)ABC123(235)XYZ')).toMatchObject({ code: 'EXCLUDED_AI_PAIR' });
    });
  });

  describe('when an AI repeats', () => {
    it('lists an identical repeat once (two reads of the same label)', () => {
      const r = parseElementString('^0109520123456788^21A^0109520123456788^21A');
      expect(r).toMatchObject({ ok: true, value: { ais: [{ ai: '01' }, { ai: '21' }] } });
    });
    it('raises CONFLICTING_REPEATED_AI at the second, different value', () => {
      expect(parseBracketed('(400)ABC(400)AB')).toMatchObject({ code: 'CONFLICTING_REPEATED_AI', path: '(400)', position: 9 });
    });
    it('keeps both values when the rules are switched off', () => {
      const r = parseBracketed('(400)ABC(400)AB', { validateAssociations: false });
      expect(r).toMatchObject({ ok: true, value: { ais: [{ value: 'ABC' }, { value: 'AB' }] } });
    });
  });

  it('requires the serial component of (253) when a digital signature (8030) is present', () => {
    expect(parseBracketed('(253)9520123456788(8030)ABC')).toMatchObject({ code: 'MISSING_REQUIRED_AI', path: '(253)' });
    expect(parseBracketed('(253)9520123456788S1(8030)ABC')).toMatchObject({ ok: true });
  });
});

describe('bracketed AIs', () => {
  it('parse to the same AIs as the element string', () => {
    const r = parseBracketed('(01)09520123456788(21)1234(10)ABC(17)260500');
    expect(r).toMatchObject({ ok: true, value: { source: 'bracketed', gtin: '09520123456788', serial: '1234', lot: 'ABC' } });
    expect(r.ok && toElementString(r.value)).toEqual({ ok: true, value: '^0109520123456788211234^10ABC^17260500' });
  });

  it('unescape \\( to a data bracket and report positions in the original input', () => {
    const r = parseBracketed('(01)09520123456788(10)12345\\(11)991225', { validateAssociations: false });
    expect(r).toMatchObject({ ok: true, value: { ais: [{ ai: '01' }, { ai: '10', value: '12345(11)991225' }] } });
    expect(parseBracketed('(01)09520123456788(10)A\\(B C')).toMatchObject({ code: 'INVALID_CSET82_CHARACTER', position: 26 });
    expect(parseBracketed('(10)12345\\(')).toMatchObject({ code: 'MISSING_REQUIRED_AI' });
  });

  it('escape a data bracket when written', () => {
    expect(toBracketed([{ ai: '01', value: '09520123456788' }, { ai: '10', value: 'A(B)' }])).toEqual({
      ok: true,
      value: '(01)09520123456788(10)A\\(B)',
    });
    const written = toBracketed([{ ai: '01', value: '09520123456788' }, { ai: '10', value: 'A(B)' }]);
    expect(written.ok && parseBracketed(written.value)).toMatchObject({ ok: true, value: { lot: 'A(B)' } });
  });

  it('refuse malformed brackets, unknown AIs and values of the wrong length', () => {
    const noRules = { validateAssociations: false };
    expect(parseBracketed('1(12345')).toMatchObject({ code: 'NOT_GS1', position: 0 });
    expect(parseBracketed('(1A)12345')).toMatchObject({ code: 'UNKNOWN_AI', position: 1 });
    expect(parseBracketed('(12345)12345')).toMatchObject({ code: 'UNKNOWN_AI' });
    expect(parseBracketed('(15')).toMatchObject({ code: 'UNKNOWN_AI' });
    expect(parseBracketed('(10)12345(11)', noRules)).toMatchObject({ code: 'AI_VALUE_TOO_SHORT', path: '(11)' });
    expect(parseBracketed('(17)9(90)217', noRules)).toMatchObject({ code: 'AI_VALUE_TOO_SHORT', path: '(17)' });
    expect(parseBracketed('(01)123456789012312(10)12345', noRules)).toMatchObject({ code: 'AI_VALUE_TOO_LONG', position: 18 });
  });
});
