// EPC binary (RFID tag hex) decoding and encoding, against TDS 1.13 Annex E and epcpy vectors (standards/gs1/tds-vectors.json).

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GS1_ERROR_CODES } from '../../../schemas/codes.js';
import { decodeEpcHex, encodeEpc, encodePureEpc, pureUriToTagUri, tagUriToPureUri } from '../../../schemas/gs1/epc-binary.js';
import type { EpcBinaryScheme } from '../../../schemas/gs1/epc-binary.js';
import { BINARY_SCHEMES, binarySchemeByName } from '../../../schemas/gs1/epc-binary-schemes.js';
import { SGTIN_PARTITIONS, SSCC_PARTITIONS } from '../../../schemas/gs1/epc-partition.js';
import { epcUriToDigitalLink } from '../../../schemas/gs1/epc-uri.js';
import { standardsPath } from '../../harness/standards-dir.js';

interface TdsVectors {
  partition_tables: {
    sgtin: { P: number[]; company_prefix_bits: number[]; company_prefix_digits: number[]; item_ref_bits: number[]; item_ref_digits: number[] };
    sscc: { company_prefix_bits: number[]; company_prefix_digits: number[]; serial_ref_bits: number[]; serial_ref_digits: number[] };
  };
  headers: Record<string, string>;
  vectors: { hex: string; tag_uri: string; pure_uri: string; element_string: string | null; source: string }[];
  invalid: { uri: string; reason: string }[];
}

const tds = JSON.parse(
  readFileSync(standardsPath('gs1', 'tds-vectors.json'), 'utf8'),
) as TdsVectors;

/** Hex for a string of 0/1 characters, zero-padded to whole nibbles (or to `nibbles`). */
function bitsToHex(bits: string, nibbles = Math.ceil(bits.length / 4)): string {
  const padded = bits.padEnd(nibbles * 4, '0');
  let out = '';
  for (let i = 0; i < padded.length; i += 4) out += parseInt(padded.slice(i, i + 4), 2).toString(16).toUpperCase();
  return out;
}

const bin = (value: number | bigint, width: number): string => value.toString(2).padStart(width, '0');

function filterOf(tagUri: string): number | undefined {
  const body = tagUri.split(':')[4] ?? '';
  return tagUri.includes(':gid-96:') ? undefined : Number(body[0]);
}

function hexOf(r: ReturnType<typeof encodeEpc>): string {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

describe('the coding tables match TDS 1.13 as transcribed in tds-vectors.json', () => {
  it('has the SGTIN partition table (Table 14-2)', () => {
    const t = tds.partition_tables.sgtin;
    expect(SGTIN_PARTITIONS.map((r) => r.partition)).toEqual(t.P);
    expect(SGTIN_PARTITIONS.map((r) => r.companyPrefixBits)).toEqual(t.company_prefix_bits);
    expect(SGTIN_PARTITIONS.map((r) => r.companyPrefixDigits)).toEqual(t.company_prefix_digits);
    expect(SGTIN_PARTITIONS.map((r) => r.referenceBits)).toEqual(t.item_ref_bits);
    expect(SGTIN_PARTITIONS.map((r) => r.referenceDigits)).toEqual(t.item_ref_digits);
  });

  it('has the SSCC partition table (Table 14-5)', () => {
    const t = tds.partition_tables.sscc;
    expect(SSCC_PARTITIONS.map((r) => r.companyPrefixBits)).toEqual(t.company_prefix_bits);
    expect(SSCC_PARTITIONS.map((r) => r.companyPrefixDigits)).toEqual(t.company_prefix_digits);
    expect(SSCC_PARTITIONS.map((r) => r.referenceBits)).toEqual(t.serial_ref_bits);
    expect(SSCC_PARTITIONS.map((r) => r.referenceDigits)).toEqual(t.serial_ref_digits);
  });

  it('has every header value the file lists', () => {
    for (const [name, header] of Object.entries(tds.headers)) expect(binarySchemeByName(name)?.header, name).toBe(parseInt(header, 16));
  });

  it('adds up every scheme to its length in bits', () => {
    for (const s of BINARY_SCHEMES) {
      const fieldBits = s.fields.reduce((sum, f) => {
        if (f.kind !== 'partition') return sum + f.bits;
        for (const row of f.table) expect(row.companyPrefixBits + row.referenceBits, s.name).toBe((f.table[0]?.companyPrefixBits ?? 0) + (f.table[0]?.referenceBits ?? 0));
        return sum + 3 + (f.table[0]?.companyPrefixBits ?? 0) + (f.table[0]?.referenceBits ?? 0);
      }, 0);
      expect(8 + (s.hasFilter ? 3 : 0) + fieldBits, s.name).toBe(s.bits);
    }
  });
});

describe('every vector in tds-vectors.json', () => {
  for (const v of tds.vectors) {
    describe(v.tag_uri, () => {
      it('decodes the hex to the tag URI, pure URI and element string', () => {
        const r = decodeEpcHex(v.hex);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.tagUri).toBe(v.tag_uri);
        expect(r.value.pureUri).toBe(v.pure_uri);
        if (v.element_string !== null) expect(r.value.elementString).toBe(v.element_string);
        if (v.tag_uri.includes(':gid-96:')) {
          expect(r.value.elementString).toBeUndefined(); // a GID is not a GS1 key
          expect(r.value.digitalLink).toBeUndefined();
        } else {
          expect(r.value.filter).toBe(filterOf(v.tag_uri));
          expect(epcUriToDigitalLink(v.pure_uri)).toEqual({ ok: true, value: r.value.digitalLink });
        }
      });

      it('encodes the tag URI back to the same hex', () => {
        const word = hexOf(encodeEpc(v.tag_uri));
        const nibble = hexOf(encodeEpc(v.tag_uri, { padding: 'nibble' }));
        // TDS Annex E prints SGTIN-198 padded to a 16-bit word (52 digits) but SGLN-195 to a nibble (49).
        expect([word, nibble]).toContain(v.hex);
        expect(word.length % 4).toBe(0);
        expect(word).toBe(v.hex.padEnd(word.length, '0'));
      });

      it('converts between pure and tag URI', () => {
        expect(tagUriToPureUri(v.tag_uri)).toEqual({ ok: true, value: v.pure_uri });
        const scheme = (v.tag_uri.split(':')[3] ?? '') as EpcBinaryScheme;
        const filter = filterOf(v.tag_uri);
        expect(pureUriToTagUri(v.pure_uri, filter === undefined ? { scheme } : { scheme, filter })).toEqual({ ok: true, value: v.tag_uri });
      });

      it('reads the same EPC in lower case, with surrounding whitespace and word-padded', () => {
        const r = decodeEpcHex(v.hex);
        expect(decodeEpcHex(` \t${v.hex.toLowerCase()}\r\n`)).toEqual(r);
        expect(decodeEpcHex(hexOf(encodeEpc(v.tag_uri)))).toEqual(r);
      });
    });
  }
});

describe('when the identity does not fit the binary scheme or the URI is invalid (tds-vectors.json "invalid")', () => {
  for (const v of tds.invalid) {
    if (v.reason.startsWith('not SGTIN-96')) {
      it(`${v.uri}: EPC_NOT_ENCODABLE in SGTIN-96, encodable in SGTIN-198`, () => {
        expect(encodePureEpc(v.uri, { scheme: 'sgtin-96', filter: 3 })).toMatchObject({ ok: false, code: 'EPC_NOT_ENCODABLE' });
        const hex = hexOf(encodePureEpc(v.uri, { scheme: 'sgtin-198', filter: 3 }));
        expect(decodeEpcHex(hex)).toMatchObject({ ok: true, value: { pureUri: v.uri } });
        const tag = pureUriToTagUri(v.uri, { scheme: 'sgtin-198', filter: 3 });
        expect(tag.ok && encodeEpc(tag.value.replace('sgtin-198', 'sgtin-96'))).toMatchObject({ ok: false, code: 'EPC_NOT_ENCODABLE' });
      });
    } else {
      it(`${v.uri}: INVALID_EPC (${v.reason})`, () => {
        const scheme = v.uri.includes(':sscc:') ? 'sscc-96' : 'sgtin-96';
        expect(encodePureEpc(v.uri, { scheme, filter: 0 })).toMatchObject({ ok: false, code: 'INVALID_EPC' });
      });
    }
  }
});

describe('schemes without a vector round-trip through binary', () => {
  it.each([
    'urn:epc:tag:grai-170:1.0614141.12345.32a%2Fb',
    'urn:epc:tag:giai-202:0.0614141.ABC-123%2F9',
    'urn:epc:tag:giai-202:0.614141999999.123456789012345678',
    'urn:epc:tag:gsrnp-96:0.0614141.1234567890',
    'urn:epc:tag:gdti-174:0.0614141.12345.A%26B',
    'urn:epc:tag:itip-110:1.4012345.012345.01.02.987',
    'urn:epc:tag:itip-212:1.4012345.012345.01.02.A%3FB',
    'urn:epc:tag:sgln-96:1.061414123456..0',
    'urn:epc:tag:sgln-195:1.061414123456..00',
    'urn:epc:tag:sgtin-96:7.061414123456.9.274877906943',
    'urn:epc:tag:sscc-96:0.061414123456.99999',
    'urn:epc:tag:giai-96:1.061414123456.4398046511103',
    'urn:epc:tag:cpi-96:0.061414123456.999.2147483647',
    'urn:epc:tag:sgcn-96:0.4012345.67890.000000000000',
    'urn:epc:tag:gid-96:268435455.16777215.68719476735',
  ])('%s', (tagUri) => {
    const hex = hexOf(encodeEpc(tagUri));
    expect(decodeEpcHex(hex)).toMatchObject({ ok: true, value: { tagUri } });
  });

  it('fills the GS1 fields a caller needs', () => {
    expect(decodeEpcHex('3074257BF7194E4000001A85')).toMatchObject({
      ok: true,
      value: { scheme: 'sgtin-96', filter: 3, companyPrefix: '0614141', gtin: '80614141123458', serial: '6789', digitalLink: 'https://id.gs1.org/01/80614141123458/21/6789' },
    });
    expect(decodeEpcHex('3174257BF4499602D2000000')).toMatchObject({ ok: true, value: { sscc: '106141412345678908' } });
    expect(decodeEpcHex('3274257BF46072000000162E')).toMatchObject({ ok: true, value: { gln: '0614141123452', extension: '5678' } });
    const noExtension = decodeEpcHex(hexOf(encodeEpc('urn:epc:tag:sgln-96:1.0614141.12345.0')));
    expect(noExtension).toMatchObject({ ok: true, value: { gln: '0614141123452', elementString: '(414)0614141123452' } });
    expect(noExtension.ok && noExtension.value.extension).toBeUndefined();
  });
});

describe('when the hex is malformed (attacker-controlled input)', () => {
  const SGTIN96 = (filter: number, partition: number, companyPrefix: string, itemRef: string, serial: string) =>
    bitsToHex('00110000' + bin(filter, 3) + bin(partition, 3) + companyPrefix + itemRef + serial);

  it.each([
    ['', 'EMPTY_INPUT'],
    ['   ', 'EMPTY_INPUT'],
    ['3'.repeat(2000), 'INPUT_TOO_LONG'],
    ['3', 'INVALID_EPC'],
    ['0x3074257BF7194E4000001A85', 'INVALID_EPC'],
    ['3074257BF7194E4000001A8G', 'INVALID_EPC'],
    ['3074257B F7194E4000001A85', 'INVALID_EPC'],
    ['3074257BF7194E4000001A8', 'INVALID_EPC'], // 23 digits
    ['3074257BF7194E4000001A850', 'INVALID_EPC'], // 25 digits
    ['307C257BF7194E4000001A85', 'INVALID_EPC'], // partition 7
    ['3174257BF4499602D2000001', 'INVALID_EPC'], // SSCC-96 reserved bits set
    ['3674257BF6B7A659B2C2BF100000000000000000000000000001', 'INVALID_EPC'], // padding bit set
    ['FF74257BF7194E4000001A85', 'UNSUPPORTED_EPC_SCHEME'],
    ['E2801160600002054CC2096F', 'UNSUPPORTED_EPC_SCHEME'], // a TID, not an EPC
    ['000000000000000000000000', 'UNSUPPORTED_EPC_SCHEME'], // blank tag
    ['3D74257BF400C0E680003039', 'UNSUPPORTED_EPC_SCHEME'], // CPI-var is not read
    ['2F0000000000000000000000', 'UNSUPPORTED_EPC_SCHEME'], // USDOD-96 is not a GS1 scheme
  ] as const)('refuses %s with %s', (hex, code) => {
    expect(decodeEpcHex(hex)).toMatchObject({ ok: false, code });
  });

  it('refuses a company prefix too large for its digits', () => {
    expect(decodeEpcHex(SGTIN96(3, 0, '1'.repeat(40), '0000', bin(1, 38)))).toMatchObject({ ok: false, code: 'INVALID_EPC' });
    expect(decodeEpcHex(SGTIN96(3, 0, bin(999_999_999_999, 40), '0000', bin(1, 38)))).toMatchObject({ ok: true });
  });

  it('refuses an item reference too large for its digits', () => {
    expect(decodeEpcHex(SGTIN96(3, 5, bin(614141, 24), bin(2 ** 20 - 1, 20), bin(1, 38)))).toMatchObject({ ok: false, code: 'INVALID_EPC' });
    expect(decodeEpcHex(SGTIN96(3, 5, bin(614141, 24), bin(999_999, 20), bin(1, 38)))).toMatchObject({ ok: true });
  });

  it('refuses an SGLN location reference with bits when it has no digits (partition 0)', () => {
    const hex = bitsToHex('00110010' + '001' + '000' + bin(614141123456, 40) + '1' + bin(0, 41));
    expect(decodeEpcHex(hex)).toMatchObject({ ok: false, code: 'INVALID_EPC' });
  });

  it('refuses 7-bit serials with characters outside set 82, empty, or with bits after the terminator', () => {
    const head = '00110110' + '011' + '101' + bin(614141, 24) + bin(712345, 20);
    const serial = (codes: number[]) => bitsToHex(head + codes.map((c) => bin(c, 7)).join('').padEnd(140, '0'), 52);
    expect(decodeEpcHex(serial([0x41, 0x42]))).toMatchObject({ ok: true, value: { serial: 'AB' } });
    expect(decodeEpcHex(serial([0x41, 0x20]))).toMatchObject({ ok: false, code: 'INVALID_EPC' }); // space
    expect(decodeEpcHex(serial([0x41, 0x7f]))).toMatchObject({ ok: false, code: 'INVALID_EPC' });
    expect(decodeEpcHex(serial([0x23]))).toMatchObject({ ok: false, code: 'INVALID_EPC' }); // '#'
    expect(decodeEpcHex(serial([]))).toMatchObject({ ok: false, code: 'INVALID_EPC' });
    expect(decodeEpcHex(serial([0x41, 0, 0x42]))).toMatchObject({ ok: false, code: 'INVALID_EPC' });
  });

  it('refuses an SGCN serial without its leading 1 marker, and ITIP pieces out of range', () => {
    const sgcn = (serial: number) => bitsToHex('00111111' + '011' + '101' + bin(4012345, 24) + bin(67890, 17) + bin(serial, 41));
    expect(decodeEpcHex(sgcn(104711))).toMatchObject({ ok: true, value: { serial: '04711' } });
    expect(decodeEpcHex(sgcn(204711))).toMatchObject({ ok: false, code: 'INVALID_EPC' });
    expect(decodeEpcHex(sgcn(1))).toMatchObject({ ok: false, code: 'INVALID_EPC' });
    const itip = (piece: number, total: number) =>
      bitsToHex('01000000' + '001' + '101' + bin(4012345, 24) + bin(12345, 20) + bin(piece, 7) + bin(total, 7) + bin(987, 38), 28);
    expect(decodeEpcHex(itip(1, 2))).toMatchObject({ ok: true, value: { pureUri: 'urn:epc:id:itip:4012345.012345.01.02.987' } });
    expect(decodeEpcHex(itip(3, 2))).toMatchObject({ ok: false, code: 'INVALID_EPC' });
    expect(decodeEpcHex(itip(100, 120))).toMatchObject({ ok: false, code: 'INVALID_EPC' });
  });
});

describe('when a URI cannot be encoded', () => {
  it.each([
    ['urn:epc:tag:sgtin-96:3.0614141.812345.274877906944', 'EPC_NOT_ENCODABLE'], // 2^38
    ['urn:epc:tag:sgtin-96:3.0614141.812345.0123', 'EPC_NOT_ENCODABLE'],
    ['urn:epc:tag:sgtin-96:3.0614141.812345.A1', 'EPC_NOT_ENCODABLE'],
    ['urn:epc:tag:sgln-96:3.0614141.12345.00', 'EPC_NOT_ENCODABLE'],
    ['urn:epc:tag:giai-96:3.0614141.A1', 'EPC_NOT_ENCODABLE'],
    ['urn:epc:tag:giai-96:3.061414123456.4398046511104', 'EPC_NOT_ENCODABLE'], // 2^42
    ['urn:epc:tag:cpi-96:3.0614141.ABC.1', 'EPC_NOT_ENCODABLE'],
    ['urn:epc:tag:cpi-96:3.0614141.98765.2147483648', 'EPC_NOT_ENCODABLE'], // 2^31
    ['urn:epc:tag:gid-96:268435456.1.1', 'EPC_NOT_ENCODABLE'], // 2^28
    ['urn:epc:tag:sgtin-96:8.0614141.812345.1', 'INVALID_EPC'], // filter 8
    ['urn:epc:tag:sgtin-96:0614141.812345.1', 'INVALID_EPC'], // no filter
    ['urn:epc:tag:sgtin-96:3.0614141.81234.1', 'INVALID_EPC'],
    ['urn:epc:tag:sgtin-97:3.0614141.812345.1', 'UNSUPPORTED_EPC_SCHEME'],
    ['urn:epc:id:sgtin:0614141.812345.1', 'INVALID_EPC'],
    ['', 'EMPTY_INPUT'],
  ] as const)('refuses %s with %s', (uri, code) => {
    expect(encodeEpc(uri)).toMatchObject({ ok: false, code });
  });

  it('refuses a pure identity of another scheme, and a missing filter', () => {
    expect(encodePureEpc('urn:epc:id:sscc:0614141.1234567890', { scheme: 'sgtin-96', filter: 0 })).toMatchObject({ ok: false, code: 'EPC_NOT_ENCODABLE' });
    expect(encodePureEpc('urn:epc:class:lgtin:0614141.812345.L1', { scheme: 'sgtin-198', filter: 0 })).toMatchObject({ ok: false, code: 'EPC_NOT_ENCODABLE' });
    expect(encodePureEpc('urn:epc:id:sgtin:0614141.812345.1', { scheme: 'sgtin-96' })).toMatchObject({ ok: false, code: 'INVALID_EPC' });
    expect(encodePureEpc('urn:epc:id:sgtin:0614141.812345.1', { scheme: 'nope-96' as EpcBinaryScheme, filter: 0 })).toMatchObject({
      ok: false,
      code: 'UNSUPPORTED_EPC_SCHEME',
    });
  });
});

describe('random identities round-trip (fast-check)', () => {
  const gcpLength = fc.integer({ min: 6, max: 12 });
  const digitString = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
  const cset82 = fc.string({ unit: fc.constantFrom(...`!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`), minLength: 1, maxLength: 20 });

  it('SGTIN-96: any filter, prefix length and serial below 2^38', () => {
    fc.assert(
      fc.property(
        gcpLength.chain((l) => fc.tuple(digitString(l), digitString(13 - l))),
        fc.integer({ min: 0, max: 7 }),
        fc.bigInt({ min: 0n, max: 2n ** 38n - 1n }),
        ([gcp, itemRef], filter, serial) => {
          const tagUri = `urn:epc:tag:sgtin-96:${filter}.${gcp}.${itemRef}.${serial}`;
          const hex = hexOf(encodeEpc(tagUri));
          expect(hex).toMatch(/^30[0-9A-F]{22}$/);
          expect(decodeEpcHex(hex)).toMatchObject({ ok: true, value: { tagUri } });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('SGTIN-198: any serial of character set 82, escaped as TDS Table A-1 says', () => {
    fc.assert(
      fc.property(gcpLength.chain((l) => fc.tuple(digitString(l), digitString(13 - l))), cset82, ([gcp, itemRef], serial) => {
        const pure = `urn:epc:id:sgtin:${gcp}.${itemRef}.${serial.replace(/["%&/<>?]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
        const hex = hexOf(encodePureEpc(pure, { scheme: 'sgtin-198', filter: 1 }));
        const decoded = decodeEpcHex(hex);
        expect(decoded).toMatchObject({ ok: true, value: { pureUri: pure, serial } });
      }),
      { numRuns: 2000 },
    );
  });

  it('never leaves GS1_ERROR_CODES when encoding arbitrary tag URIs', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = encodeEpc(`urn:epc:tag:${s}`);
        if (!r.ok) expect(GS1_ERROR_CODES).toContain(r.code);
      }),
      { numRuns: 2000 },
    );
  });
});
