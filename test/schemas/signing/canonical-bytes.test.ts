import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  canonicalJsonBytes,
  domainSeparatedBytes,
  isJsonObject,
  isJsonValue,
  MAX_JSON_DEPTH,
  toJsonValue,
} from '../../../schemas/signing/canonical-bytes.js';
import { utf8 } from './helpers.js';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('canonicalJson (RFC 8785)', () => {
  it('matches the RFC 8785 §3.2.2 sample: number, string and literal serialisation', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 sample)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh",' +
        '"1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('gives the same bytes whatever the key order and whitespace of the input', () => {
    const a = JSON.parse('{"b": [1, {"y": 2, "x": 1}], "a": "\u00e9"}');
    const b = JSON.parse('{"a":"\u00e9","b":[1,{"x":1,"y":2}]}');
    expect(canonicalJsonBytes(a)).toEqual(canonicalJsonBytes(b));
    expect(canonicalJsonBytes(a)).toEqual(utf8('{"a":"é","b":[1,{"x":1,"y":2}]}'));
  });

  it.each([
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['a lone surrogate in a value', { s: '\ud800' }],
    ['a lone surrogate in a key', { '\udc00': 1 }],
    ['undefined', undefined],
    ['a nested undefined', { a: [undefined] }],
    ['a function', { f: () => 1 }],
    ['a bigint', { n: 1n }],
    ['a Date', { d: new Date(0) }],
    ['a Map', new Map()],
    ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a getter', Object.defineProperty({}, 'g', { get: () => 1, enumerable: true })],
    [`nesting deeper than ${MAX_JSON_DEPTH}`, nested(MAX_JSON_DEPTH + 1)],
  ])('refuses %s', (_, value) => {
    expect(canonicalJson(value)).toBeUndefined();
    expect(isJsonValue(value)).toBe(false);
  });

  it('writes what the canonicalize library writes, for any JSON, in any key order (fast path included)', () => {
    // canonicalJson serialises already-sorted input natively and hands the rest to the library; both must agree.
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const expected = canonicalize(value);
        expect(canonicalJson(value)).toBe(expected);
        // The same data re-read from its canonical text: keys in canonical order, so the native path serialises it.
        expect(canonicalJson(JSON.parse(expected!))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('orders integer-like keys as strings, not as JavaScript enumerates them', () => {
    const value = JSON.parse('{"10":"ten","9":"nine","a":{"2":2,"10":10}}');
    expect(Object.keys(value)).toEqual(['9', '10', 'a']); // what V8 does with array-index keys
    expect(canonicalJson(value)).toBe('{"10":"ten","9":"nine","a":{"10":10,"2":2}}');
  });

  it('refuses a cycle without overflowing the stack', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(canonicalJson(cycle)).toBeUndefined();
  });

  it(`accepts nesting of exactly ${MAX_JSON_DEPTH} levels`, () => {
    expect(canonicalJson(nested(MAX_JSON_DEPTH))).toBe('['.repeat(MAX_JSON_DEPTH) + '1' + ']'.repeat(MAX_JSON_DEPTH));
  });

  it('treats a "__proto__" key from JSON.parse as data', () => {
    const value = JSON.parse('{"__proto__":{"x":1},"a":2}');
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('says which values are JSON objects', () => {
    expect(isJsonObject({ a: 1 })).toBe(true);
    expect(isJsonObject(Object.create(null))).toBe(true);
    expect(isJsonObject([])).toBe(false);
    expect(isJsonObject(null)).toBe(false);
    expect(isJsonObject('x')).toBe(false);
  });

  it('survives a hostile Proxy', () => {
    const proxy = new Proxy({}, { getPrototypeOf: () => { throw new Error('boom'); } });
    expect(isJsonValue(proxy)).toBe(false);
    expect(canonicalJson(proxy)).toBeUndefined();
  });
});

describe('toJsonValue', () => {
  it('drops undefined properties as JSON.stringify does, and copies', () => {
    const input = { a: 1, b: undefined, c: { d: undefined, e: [1, 'x'] } };
    const copy = toJsonValue(input);
    expect(copy).toEqual({ a: 1, c: { e: [1, 'x'] } });
    expect(copy).not.toBe(input);
    expect(canonicalJson(copy)).toBe(canonicalJson(JSON.parse(JSON.stringify(input))));
  });

  it('keeps a "__proto__" key as an own data property', () => {
    const copy = toJsonValue(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(canonicalJson(copy)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('refuses what JSON.stringify would silently change', () => {
    expect(toJsonValue({ n: Number.NaN })).toBeUndefined();
    expect(toJsonValue({ d: new Date(0) })).toBeUndefined();
    expect(toJsonValue([undefined])).toBeUndefined();
  });
});

describe('domainSeparatedBytes', () => {
  it('is UTF-8(context) followed by the canonical JSON', () => {
    expect(domainSeparatedBytes('ctx/v1\n', { b: 1, a: 2 })).toEqual(utf8('ctx/v1\n{"a":2,"b":1}'));
    expect(domainSeparatedBytes('ctx/v1\n', { a: Number.NaN })).toBeUndefined();
  });
});
