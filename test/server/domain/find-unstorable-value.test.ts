import { describe, expect, it } from 'vitest';
import { eventTimeUtc, findUnstorableValue } from '../../../server/domain/find-unstorable-value.js';

const at = (event: unknown, strings = true) => findUnstorableValue(event, strings)?.pointer;

describe('findUnstorableValue', () => {
  it('passes ordinary JSON, including paired surrogates (emoji) and other control characters', () => {
    expect(at({ eventTime: '2026-11-24T10:00:00+01:00', a: ['x', 1, null, true, { b: 'caf\u00e9 \ud83d\udc8a \u0001\t' }] })).toBeUndefined();
  });

  it('names the JSON Pointer of a value holding U+0000', () => {
    expect(at({ ilmd: { 'cbvmda:lotNumber': 'L\u0000T' } })).toBe('/ilmd/cbvmda:lotNumber');
    expect(at({ epcList: ['ok', 'x\u0000'] })).toBe('/epcList/1');
  });

  it('finds unpaired surrogates, high or low', () => {
    expect(at({ a: 'x\ud800' })).toBe('/a');
    expect(at({ a: '\udc00x' })).toBe('/a');
  });

  it('checks keys too, escaping the pointer tokens (RFC 6901)', () => {
    expect(at({ 'a/b~': { 'k\u0000': 1 } })).toBe('/a~1b~0/k\u0000');
  });

  it('skips the strings when told the text had no \\u escape, never the eventTime', () => {
    expect(at({ a: 'x\u0000' }, false)).toBeUndefined();
    expect(at({ eventTime: '0000-01-01T00:00:00Z' }, false)).toBe('/eventTime');
  });

  describe('an eventTime', () => {
    it('is kept in UTC', () => {
      expect(eventTimeUtc({ eventTime: '2026-11-24T10:00:00.5+01:00' })).toBe('2026-11-24T09:00:00.500Z');
      expect(eventTimeUtc({ eventTime: '0001-01-01T00:00:00Z' })).toBe('0001-01-01T00:00:00.000Z');
      expect(eventTimeUtc({})).toBeNull();
    });

    it('is refused when RFC 3339 allows it but no store can keep it', () => {
      for (const t of ['2026-06-30T23:59:60Z', '0000-01-01T00:00:00Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:59:59-14:00']) {
        expect(eventTimeUtc({ eventTime: t }), t).toBeUndefined();
        expect(findUnstorableValue({ eventTime: t })).toMatchObject({ pointer: '/eventTime' });
      }
    });
  });
});
