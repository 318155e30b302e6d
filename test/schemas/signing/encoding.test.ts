import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  concatBytes,
  decodeBase64,
  decodeBase64url,
  decodeHex,
  decodeUtf8,
  encodeBase64,
  encodeBase64url,
  encodeHex,
  encodeUtf8,
  isWellFormedByScan,
  isWellFormedUnicode,
} from '../../../schemas/signing/encoding.js';

describe('base64 (RFC 4648 §4, padded)', () => {
  it('encodes like Node Buffer and decodes back, for every length 0..99', () => {
    for (let n = 0; n < 100; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  it('round-trips random bytes, and every accepted text is the one canonical encoding', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => bytesEqual(decodeBase64(encodeBase64(bytes))!, bytes)));
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AQgwB+/=a9\n '.split('')), maxLength: 12 }), (text) => {
        const bytes = decodeBase64(text);
        return bytes === undefined || encodeBase64(bytes) === text;
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['missing padding', 'AA'],
    ['too much padding', 'A==='],
    ['padding only', '===='],
    ['padding in the middle', 'AA==AAAA'],
    ['non-zero trailing bits (one pad)', 'AAB='],
    ['non-zero trailing bits (two pads)', 'AB=='],
    ['a base64url character', 'AA-_'],
    ['whitespace', 'AAAA AAAA'],
    ['a newline', 'AAAA\n'],
    ['a non-ASCII character', 'AAA\u00e9'],
    ['a single character', 'A'],
  ])('refuses %s', (_, text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });

  it('decodes the empty string to no bytes and refuses non-strings', () => {
    expect(decodeBase64('')).toEqual(new Uint8Array(0));
    for (const value of [undefined, null, 42, {}, ['AAAA']]) expect(decodeBase64(value)).toBeUndefined();
  });
});

describe('base64url (RFC 4648 §5, unpadded)', () => {
  it('encodes like Node Buffer and decodes back, for every length 0..99', () => {
    for (let n = 0; n < 100; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 91 + 7 * n) & 0xff);
      const text = encodeBase64url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(decodeBase64url(text)).toEqual(bytes);
    }
  });

  it.each([
    ['padding', 'AA=='],
    ['a standard base64 character', 'AA+/'],
    ['non-zero trailing bits', 'AB'],
    ['a length of 4k+1', 'AAAAA'],
    ['whitespace', 'AA AA'],
  ])('refuses %s', (_, text) => {
    expect(decodeBase64url(text)).toBeUndefined();
  });

  it('accepts exactly the canonical text of a 64-byte signature (86 characters ending in A, Q, g or w)', () => {
    const sig = new Uint8Array(64).fill(0xff);
    const text = encodeBase64url(sig);
    expect(text).toHaveLength(86);
    expect(decodeBase64url(text)).toEqual(sig);
    expect(decodeBase64url(`${text.slice(0, 85)}_`)).toBeUndefined();
  });
});

describe('hex', () => {
  it('round-trips lowercase hex', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => bytesEqual(decodeHex(encodeHex(bytes))!, bytes)));
    expect(encodeHex(Uint8Array.of(0, 0xab, 0xff))).toBe('00abff');
  });

  it.each([['uppercase', 'AB'], ['odd length', 'abc'], ['a non-hex character', 'zz'], ['a 0x prefix', '0xab']])(
    'refuses %s',
    (_, text) => {
      expect(decodeHex(text)).toBeUndefined();
    },
  );
});

describe('UTF-8', () => {
  it('refuses invalid UTF-8 instead of replacing it', () => {
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]) {
      expect(decodeUtf8(Uint8Array.from(bad))).toBeUndefined();
    }
  });

  it('keeps a leading byte order mark as text rather than dropping it', () => {
    const bytes = Uint8Array.of(0xef, 0xbb, 0xbf, 0x41);
    expect(decodeUtf8(bytes)).toBe('\ufeffA');
    expect(encodeUtf8('\ufeffA')).toEqual(bytes);
  });

  it('tells well-formed strings from ones with lone surrogates', () => {
    expect(isWellFormedUnicode('a\ud83d\ude00b')).toBe(true);
    expect(isWellFormedUnicode('a\ud83d')).toBe(false);
    expect(isWellFormedUnicode('\ude00a')).toBe(false);
    expect(isWellFormedUnicode('\ud83d\ud83d')).toBe(false);
  });

  it('answers as the code-unit scan does, for runtimes without String.prototype.isWellFormed', () => {
    const units = [0x41, 0xe9, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfeff, 0xd83d, 0xde00];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 2000; n++) {
      const text = String.fromCharCode(...Array.from({ length: next() % 6 }, () => units[next() % units.length]!));
      expect(isWellFormedUnicode(text)).toBe(isWellFormedByScan(text));
    }
    expect(isWellFormedByScan('a\ud83d\ude00b')).toBe(true);
    expect(isWellFormedByScan('a\ud83d')).toBe(false);
  });
});

describe('byte helpers', () => {
  it('concatenates and compares', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
  });
});
