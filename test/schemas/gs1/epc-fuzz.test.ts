// Fuzzing the EPC readers with fast-check: attacker-controlled hex and URIs never throw and only yield typed errors.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GS1_ERROR_CODES } from '../../../schemas/codes.js';
import type { Result } from '../../../schemas/result.js';
import { decodeEpcHex, encodeEpc } from '../../../schemas/gs1/epc-binary.js';
import { BINARY_SCHEMES } from '../../../schemas/gs1/epc-binary-schemes.js';
import { canonicalizeDigitalLink } from '../../../schemas/gs1/epc-digital-link.js';
import { digitalLinkToEpcUri, epcUriToDigitalLink, formatEpcUri, parseEpcUri } from '../../../schemas/gs1/epc-uri.js';
import { standardsPath } from '../../harness/standards-dir.js';

const tds = JSON.parse(readFileSync(standardsPath('gs1', 'tds-vectors.json'), 'utf8')) as {
  vectors: { hex: string; pure_uri: string }[];
};

const RUNS = 10_000;
const HEX = '0123456789ABCDEF';
const VALID_HEX = tds.vectors.map((v) => v.hex);
const VALID_URNS = [
  ...tds.vectors.map((v) => v.pure_uri),
  'urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()',
  "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
  'urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234',
  'urn:epc:id:itip:4012345.012345.01.02.999',
  'urn:epc:id:gsrnp:4012345.0000098765',
  'urn:epc:id:ginc:4012345.333',
  'urn:epc:id:gsin:4012345.999987654',
  'urn:epc:id:pgln:999999999999.',
  'urn:epc:class:lgtin:4054739.099914.20160711',
  'urn:epc:idpat:sgtin:4054739.099914.*',
  'urn:epc:idpat:itip:4012345.012345.01.02.*',
];

/** A Result whose failure code is one of GS1_ERROR_CODES (what every caller's exhaustive switch relies on). */
function expectTypedResult(r: Result<unknown, string>): void {
  expect(typeof r.ok).toBe('boolean');
  if (!r.ok) {
    expect(GS1_ERROR_CODES).toContain(r.code);
    expect(typeof r.message).toBe('string');
  }
}

function flipBit(hex: string, bit: number): string {
  const i = bit >> 2;
  const nibble = parseInt(hex[i] ?? '0', 16) ^ (8 >> (bit & 3));
  return hex.slice(0, i) + HEX[nibble] + hex.slice(i + 1);
}

const mutatedString = (seeds: readonly string[], alphabet: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom(...seeds), fc.nat(), alphabet, fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'duplicate'))
    .map(([seed, at, ch, op]) => {
      const i = seed.length === 0 ? 0 : at % seed.length;
      switch (op) {
        case 'replace':
          return seed.slice(0, i) + ch + seed.slice(i + 1);
        case 'insert':
          return seed.slice(0, i) + ch + seed.slice(i);
        case 'delete':
          return seed.slice(0, i) + seed.slice(i + 1);
        case 'truncate':
          return seed.slice(0, i);
        default:
          return seed.slice(0, i) + seed.slice(i, i + 3) + seed.slice(i);
      }
    });

describe('decodeEpcHex on attacker-controlled reads', () => {
  it(`never throws on ${RUNS} random hex strings, and what it accepts re-encodes to the same hex`, () => {
    const knownHeader = fc.constantFrom(...BINARY_SCHEMES.map((s) => s.header.toString(16).padStart(2, '0').toUpperCase()));
    const hexBody = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: max });
    const input = fc.oneof(
      hexBody(64), // anything
      fc.tuple(knownHeader, fc.constantFrom(22, 23, 24, 47, 48, 49, 50, 51, 52, 54, 56)).chain(([h, n]) =>
        fc.string({ unit: fc.constantFrom(...HEX), minLength: n, maxLength: n }).map((body) => h + body),
      ), // a real header and a plausible length, to get past the first checks
      fc.string({ maxLength: 64 }), // not hex at all
    );
    let accepted = 0;
    fc.assert(
      fc.property(input, (hex) => {
        const r = decodeEpcHex(hex);
        expectTypedResult(r);
        if (r.ok) {
          accepted++;
          const upper = hex.trim().toUpperCase();
          const word = encodeEpc(r.value.tagUri);
          const nibble = encodeEpc(r.value.tagUri, { padding: 'nibble' });
          // Decoding is exact: a read that decodes is the only hex of its length for that tag URI.
          if (word.ok && word.value.length === upper.length) expect(word.value).toBe(upper);
          if (nibble.ok && nibble.value.length === upper.length) expect(nibble.value).toBe(upper);
        }
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it(`never throws on ${RUNS} single-bit flips of valid vectors`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_HEX), fc.nat(), (hex, at) => {
        const mutated = flipBit(hex, at % (hex.length * 4));
        const r = decodeEpcHex(mutated);
        expectTypedResult(r);
        if (r.ok) {
          const back = encodeEpc(r.value.tagUri, { padding: mutated.length % 4 === 0 ? 'word' : 'nibble' });
          expect(back).toEqual({ ok: true, value: mutated });
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`never throws on ${RUNS} character mutations of valid vectors`, () => {
    fc.assert(
      fc.property(mutatedString(VALID_HEX, fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })), (hex) => {
        expectTypedResult(decodeEpcHex(hex));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('epcUriToDigitalLink on attacker-controlled URIs', () => {
  /** Accepted URNs convert to a Digital Link that converts back to the same (canonical) URN. */
  function checkRoundTrip(uri: string): void {
    const r = epcUriToDigitalLink(uri);
    expectTypedResult(r);
    if (!r.ok) return;
    expect(r.value.startsWith('https://id.gs1.org/')).toBe(true);
    const identity = parseEpcUri(uri);
    expect(identity.ok).toBe(true);
    if (!identity.ok) return;
    const gcpLength = identity.value.components[0]?.length ?? 0;
    expect(digitalLinkToEpcUri(r.value, gcpLength)).toEqual({ ok: true, value: formatEpcUri(identity.value) });
    expect(canonicalizeDigitalLink(r.value)).toEqual({ ok: true, value: r.value });
  }

  it(`never throws on ${RUNS} random strings`, () => {
    const prefix = fc.constantFrom('', 'urn:epc:id:sgtin:', 'urn:epc:id:', 'urn:epc:class:lgtin:', 'urn:epc:idpat:sgtin:', 'urn:epc:id:giai:', 'urn:epc:id:cpi:');
    fc.assert(
      fc.property(prefix, fc.oneof(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60, unit: 'binary' }), fc.string({ unit: fc.constantFrom(...'0123456789.%2F*'), maxLength: 40 })), (p, s) => {
        checkRoundTrip(p + s);
      }),
      { numRuns: RUNS },
    );
  });

  it(`never throws on ${RUNS} mutations of valid URNs, and what it accepts round-trips`, () => {
    const alphabet = fc.oneof(fc.constantFrom(...'.%*:/#&?0123456789AaZz!()\'"'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }));
    fc.assert(
      fc.property(mutatedString(VALID_URNS, alphabet), (uri) => {
        checkRoundTrip(uri);
      }),
      { numRuns: RUNS },
    );
  });

  it('digitalLinkToEpcUri and canonicalizeDigitalLink never throw on mutated Digital Links', () => {
    const links = VALID_URNS.map((u) => epcUriToDigitalLink(u)).flatMap((r) => (r.ok ? [r.value] : []));
    const alphabet = fc.oneof(fc.constantFrom(...'/%?#0123456789AaZz!()'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }));
    fc.assert(
      fc.property(mutatedString(links, alphabet), fc.integer({ min: 0, max: 14 }), (dl, gcpLength) => {
        expectTypedResult(digitalLinkToEpcUri(dl, gcpLength));
        expectTypedResult(canonicalizeDigitalLink(dl));
      }),
      { numRuns: RUNS },
    );
  });
});
