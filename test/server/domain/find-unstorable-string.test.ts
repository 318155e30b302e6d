import { describe, expect, it } from 'vitest';
import { findUnstorableString } from '../../../server/domain/find-unstorable-string.js';

describe('findUnstorableString', () => {
  it('passes ordinary JSON, including paired surrogates (emoji) and other control characters', () => {
    expect(findUnstorableString({ a: ['x', 1, null, true, { b: 'caf\u00e9 \ud83d\udc8a \u0001\t' }] })).toBeUndefined();
  });

  it('names the JSON Pointer of a value holding U+0000', () => {
    expect(findUnstorableString({ ilmd: { 'cbvmda:lotNumber': 'L\u0000T' } })).toBe('/ilmd/cbvmda:lotNumber');
    expect(findUnstorableString({ epcList: ['ok', 'x\u0000'] })).toBe('/epcList/1');
  });

  it('finds unpaired surrogates, high or low', () => {
    expect(findUnstorableString({ a: 'x\ud800' })).toBe('/a');
    expect(findUnstorableString({ a: '\udc00x' })).toBe('/a');
  });

  it('checks keys too, escaping the pointer tokens (RFC 6901)', () => {
    expect(findUnstorableString({ 'a/b~': { 'k\u0000': 1 } })).toBe('/a~1b~0/k\u0000');
  });

  it('handles a bare string', () => {
    expect(findUnstorableString('\u0000')).toBe('/');
  });
});
