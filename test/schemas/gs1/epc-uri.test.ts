// EPC URN ↔ GS1 Digital Link ↔ element string, against GS1's event-hash vectors and TDS 1.13 Annex E.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GS1_ERROR_CODES } from '../../../schemas/codes.js';
import {
  digitalLinkToEpcUri,
  elementStringToEpcUri,
  epcUriToDigitalLink,
  epcUriToElementString,
  parseEpcUri,
} from '../../../schemas/gs1/epc-uri.js';
import { canonicalizeDigitalLink } from '../../../schemas/gs1/epc-digital-link.js';
import { standardsPath } from '../../harness/standards-dir.js';

const HASH_EXAMPLES = standardsPath('epcis', 'event-hash-vectors', 'examples');
const HASH_EQUAL = standardsPath('epcis', 'event-hash-vectors', 'expected_equal');

interface TdsVector {
  hex: string;
  tag_uri: string;
  pure_uri: string;
  element_string: string | null;
}
const tds = JSON.parse(readFileSync(standardsPath('gs1', 'tds-vectors.json'), 'utf8')) as {
  vectors: TdsVector[];
  invalid: { uri: string; reason: string }[];
};

/** The GS1 Company Prefix length of a pure URN: the first component's length. */
function gcpLengthOf(urn: string): number {
  return (urn.split(':')[4] ?? '').split('.')[0]?.length ?? 0;
}

function dlOf(urn: string): string {
  const r = epcUriToDigitalLink(urn);
  if (!r.ok) throw new Error(`${urn}: ${r.code} ${r.message}`);
  return r.value;
}

/**
 * `epcisDocWithAllGS1Keys.prehashes` is garbled upstream (its sha-256 is not the one in `.hashes`: lines were
 * spliced, e.g. `/235=https://AB12`), so its canonical Digital Links are written out here, read off the
 * legible parts of that file and GS1's `dl_normaliser_test.py`.
 */
const ALL_GS1_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['urn:epc:id:sgtin:4012345.012345.12', 'https://id.gs1.org/01/04012345123456/21/12'],
  ['urn:epc:id:sscc:4012345.0000000333', 'https://id.gs1.org/00/040123450000003338'],
  ['urn:epc:id:grai:4012345.66666.87', 'https://id.gs1.org/8003/0401234566666387'],
  ['urn:epc:id:giai:4012345.AAbb', 'https://id.gs1.org/8004/4012345AAbb'],
  ['urn:epc:id:gsrn:4012345.9876540000', 'https://id.gs1.org/8018/401234598765400000'],
  ['urn:epc:id:gsrnp:4012345.0000098765', 'https://id.gs1.org/8017/401234500000987658'],
  ['urn:epc:id:gdti:4012345.55555.98', 'https://id.gs1.org/253/401234555555498'],
  ['urn:epc:id:cpi:4012345.ABC.123', 'https://id.gs1.org/8010/4012345ABC/8011/123'],
  ['urn:epc:id:sgcn:4012345.99999.44', 'https://id.gs1.org/255/401234599999044'],
  ['urn:epc:id:ginc:4012345.333', 'https://id.gs1.org/401/4012345333'],
  ['urn:epc:id:gsin:4012345.999987654', 'https://id.gs1.org/402/40123459999876541'],
  ['urn:epc:id:itip:4012345.012345.01.02.999', 'https://id.gs1.org/8006/040123451234560102/21/999'],
  ['urn:epc:id:upui:4012345.012345.AB12', 'https://id.gs1.org/01/04012345123456/235/AB12'],
  ['urn:epc:class:lgtin:4054739.099914.20160711', 'https://id.gs1.org/01/04054739999148/10/20160711'],
  ['urn:epc:idpat:sgtin:4054739.099914.*', 'https://id.gs1.org/01/04054739999148'],
  ['urn:epc:idpat:grai:4012345.66666.*', 'https://id.gs1.org/8003/04012345666663'],
  ['urn:epc:idpat:gdti:4012345.55555.*', 'https://id.gs1.org/253/4012345555554'],
  ['urn:epc:idpat:sgcn:4012345.99999.*', 'https://id.gs1.org/255/4012345999990'],
  ['urn:epc:idpat:cpi:4012345.ABC.*', 'https://id.gs1.org/8010/4012345ABC'],
  ['urn:epc:idpat:itip:4012345.012345.01.02.*', 'https://id.gs1.org/8006/040123451234560102'],
  ['urn:epc:id:sgln:4012345.00011.987', 'https://id.gs1.org/414/4012345000115/254/987'],
  ['urn:epc:id:pgln:4012345.00000', 'https://id.gs1.org/417/4012345000009'],
];

/** Example documents whose `.prehashes` cannot be used line by line (see above, and the note in the loop). */
const NOT_COMPARABLE = new Set([
  'epcisDocWithAllGS1Keys.jsonld', // garbled upstream, covered by ALL_GS1_KEYS
  'epcisDocWithCustomSchemaInContext.jsonld', // three events, but upstream lists pre-hashes for only the first two
]);

describe('epcUriToDigitalLink, against GS1 event-hash pre-hash strings (CBV 2.0 §8.9)', () => {
  const examples = readdirSync(HASH_EXAMPLES).filter((f) => f.endsWith('.jsonld') && !NOT_COMPARABLE.has(f));
  for (const file of examples) {
    const prehashFile = join(HASH_EXAMPLES, file.replace(/\.jsonld$/, '.prehashes'));
    if (!existsSync(prehashFile)) continue;
    const doc = readFileSync(join(HASH_EXAMPLES, file), 'utf8');
    const urns = [...new Set([...doc.matchAll(/"(urn:epc:(?:id|class|idpat):[^"]+)"/g)].map((m) => m[1] ?? ''))];
    if (urns.length === 0) continue;
    it(`writes every EPC URN of ${file} as the Digital Link in its pre-hash`, () => {
      const prehash = readFileSync(prehashFile, 'utf8');
      for (const urn of urns) expect(prehash, urn).toContain(`=${dlOf(urn)}`);
    });
  }

  it.each(ALL_GS1_KEYS)('converts %s (every GS1 key scheme, epcisDocWithAllGS1Keys)', (urn, dl) => {
    expect(epcUriToDigitalLink(urn)).toEqual({ ok: true, value: dl });
  });

  it('keeps GS1 reference escaping: EPC escapes stay, ! ( ) * + , : are added, \' stays literal', () => {
    // epclist_normalisation.jsonld / .prehashes
    expect(dlOf('urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()')).toBe(
      'https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29',
    );
    expect(dlOf("urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB")).toBe(
      "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB",
    );
    expect(dlOf('urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234')).toBe(
      'https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234',
    );
    expect(dlOf('urn:epc:id:sgtin:0614141.812345.a+b,c:d;e=f')).toBe('https://id.gs1.org/01/80614141123458/21/a%2Bb%2Cc%3Ad;e=f');
  });

  it('drops the SGLN extension 0, which means "no extension" (TDS §6.3.3)', () => {
    expect(dlOf('urn:epc:id:sgln:4012345.00005.0')).toBe('https://id.gs1.org/414/4012345000054');
    expect(dlOf('urn:epc:id:sgln:4012345.00005.00')).toBe('https://id.gs1.org/414/4012345000054/254/00');
  });

  it('handles a 12-digit company prefix with an empty reference', () => {
    expect(dlOf('urn:epc:id:pgln:999999999999.')).toBe('https://id.gs1.org/417/9999999999994');
    expect(dlOf('urn:epc:id:gdti:987659999999..9')).toBe('https://id.gs1.org/253/98765999999929');
    expect(dlOf('urn:epc:id:sgtin:415056789012.0.987654')).toBe('https://id.gs1.org/01/04150567890128/21/987654');
  });

  it('writes the same Digital Link whatever escape spelling the URN used', () => {
    const canonical = dlOf('urn:epc:id:sgtin:0614141.812345.32a%2Fb');
    expect(dlOf('urn:epc:id:sgtin:0614141.812345.32a%2fb')).toBe(canonical);
    expect(dlOf('urn:epc:id:sgtin:0614141.812345.%33%32%61%2Fb')).toBe(canonical);
    expect(dlOf('URN:EPC:id:sgtin:0614141.812345.32a%2Fb')).toBe(canonical);
  });
});

describe('when an EPC URN is written and the same event carries a Digital Link (expected_equal)', () => {
  it('gives one canonical Digital Link for both (numberPrecision.xml sensor devices)', () => {
    const xml = readFileSync(join(HASH_EQUAL, 'numberPrecision.xml'), 'utf8');
    const pairs = [...xml.matchAll(/deviceID="([^"]+)" deviceMetadata="([^"]+)"/g)];
    expect(pairs.length).toBeGreaterThan(0);
    for (const [, urn = '', dl = ''] of pairs) expect(canonicalizeDigitalLink(dl)).toEqual({ ok: true, value: dlOf(urn) });
  });

  it('canonicalises host, short names, GTIN length, query, CPV and lot-beside-serial (dl_normaliser_test.py)', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['https://id.gs1.org/gtin/09780345418913', 'https://id.gs1.org/01/09780345418913'],
      ['https://example.com/gtin/09780345418913/21/765tz?abc=211121', 'https://id.gs1.org/01/09780345418913/21/765tz'],
      // GS1's own case uses GTIN-8 97803111, whose check digit is wrong; a valid GTIN-8 stands in for it.
      ['http://example.de/gtin-8/01/96385074', 'https://id.gs1.org/01/00000096385074'],
      ['http://us-company-with-UPC.com/01/001122334455/ser/GHB', 'https://id.gs1.org/01/00001122334455/21/GHB'],
      ['https://id.gs1.org/01/9780345418913/22/344/10/1223/21/765tz', 'https://id.gs1.org/01/09780345418913/21/765tz'],
      ['https://fashion-corp.com/8006/040123451234560102/22/AB/21/443322', 'https://id.gs1.org/8006/040123451234560102/21/443322'],
      ['https://gs1.test.example.org/01/9780345418913/10/1223', 'https://id.gs1.org/01/09780345418913/10/1223'],
      ['https://id.gs1.org/414/4280000000002/254/12', 'https://id.gs1.org/414/4280000000002/254/12'],
      ['https://example.co.uk/party/4226350800008', 'https://id.gs1.org/417/4226350800008'],
      ['https://id.gs1.org/8010/0628165987/8011/9876', 'https://id.gs1.org/8010/0628165987/8011/9876'],
      ['https://id.gs1.org/01/09506000134352/21/a%2fb%27c', "https://id.gs1.org/01/09506000134352/21/a%2Fb'c"],
    ];
    for (const [input, canonical] of cases) expect(canonicalizeDigitalLink(input), input).toEqual({ ok: true, value: canonical });
  });

  it.each([
    ['http://example.org/123/4012345ABC987/456/4711', 'INVALID_DIGITAL_LINK'],
    ['http://id.gs1.org/99/9780345418913', 'INVALID_DIGITAL_LINK'],
    ['http://example.de/abc/9780345418913', 'INVALID_DIGITAL_LINK'],
    ['http://example.de/01/97803', 'AI_VALUE_TOO_SHORT'],
    ['https://id.gs1.org/8006/04012345123456/22/ABCD/10/XYZ', 'AI_VALUE_TOO_SHORT'],
    ['https://id.gs1.org/01/09506000134353', 'INCORRECT_CHECK_DIGIT'],
    ['https://id.gs1.org/01/09506000134352/21/a%ZZ', 'INVALID_DIGITAL_LINK'],
    ['https://id.gs1.org/01/09506000134352/21/caf%C3%A9', 'INVALID_DIGITAL_LINK'],
    ['https://id.gs1.org/01/09506000134352/21/a%20b', 'INVALID_CSET82_CHARACTER'],
    ['https://id.gs1.org/01/09506000134352/21/123456789012345678901', 'AI_VALUE_TOO_LONG'],
    ['https://id.gs1.org/8010/0628165987/8011/09876', 'INVALID_COMPONENT'],
    ['https://id.gs1.org/8006/040123451234560302', 'INVALID_COMPONENT'],
    ['https://id.gs1.org/01/09506000134352/235/x/21/y', 'INVALID_DIGITAL_LINK'],
    ['42', 'INVALID_DIGITAL_LINK'],
    ['', 'EMPTY_INPUT'],
    ['Hello World!', 'INVALID_DIGITAL_LINK'],
    ['https://id.gs1.org/ABCDEFGHIJ', 'INVALID_DIGITAL_LINK'], // compressed Digital Link: not read
  ] as const)('refuses %s with %s', (input, code) => {
    expect(canonicalizeDigitalLink(input)).toMatchObject({ ok: false, code });
  });
});

describe('digitalLinkToEpcUri (the caller knows the company prefix length)', () => {
  it('gives back every URN of the GS1 key table', () => {
    for (const [urn, dl] of ALL_GS1_KEYS) expect(digitalLinkToEpcUri(dl, gcpLengthOf(urn)), dl).toEqual({ ok: true, value: urn });
  });

  it('round-trips every URN of the event-hash examples and of TDS Annex E', () => {
    const urns = new Set<string>(tds.vectors.map((v) => v.pure_uri).filter((u) => !u.startsWith('urn:epc:id:gid:')));
    for (const file of readdirSync(HASH_EXAMPLES).filter((f) => f.endsWith('.jsonld'))) {
      const doc = readFileSync(join(HASH_EXAMPLES, file), 'utf8');
      for (const m of doc.matchAll(/"(urn:epc:(?:id|class|idpat):[^"]+)"/g)) urns.add(m[1] ?? '');
    }
    expect(urns.size).toBeGreaterThan(60);
    for (const urn of urns) {
      const canonical = parseEpcUri(urn);
      expect(canonical.ok, urn).toBe(true);
      expect(digitalLinkToEpcUri(dlOf(urn), gcpLengthOf(urn)), urn).toEqual({ ok: true, value: urn });
    }
  });

  it('reads any host and path prefix, short names, and ignores the query string', () => {
    expect(digitalLinkToEpcUri('https://brand.example.com/products/01/09506000134352/21/ABC%2F1?17=291231', 7)).toEqual({
      ok: true,
      value: 'urn:epc:id:sgtin:9506000.013435.ABC%2F1',
    });
    expect(digitalLinkToEpcUri('https://id.gs1.org/giai/4000001111', 7)).toEqual({ ok: true, value: 'urn:epc:id:giai:4000001.111' });
  });

  it('gives the finest identity: serial over lot, lot as an lgtin class, GTIN alone as an idpat', () => {
    expect(digitalLinkToEpcUri('https://id.gs1.org/01/09506000134352/10/L1/21/S1', 7)).toMatchObject({ value: 'urn:epc:id:sgtin:9506000.013435.S1' });
    expect(digitalLinkToEpcUri('https://id.gs1.org/01/09506000134352/22/V/10/L1', 7)).toMatchObject({ value: 'urn:epc:class:lgtin:9506000.013435.L1' });
    expect(digitalLinkToEpcUri('https://id.gs1.org/01/09506000134352', 7)).toMatchObject({ value: 'urn:epc:idpat:sgtin:9506000.013435.*' });
    expect(digitalLinkToEpcUri('https://id.gs1.org/414/9506000134352', 7)).toMatchObject({ value: 'urn:epc:id:sgln:9506000.13435.0' });
  });

  it.each([
    ['https://id.gs1.org/01/09506000134352/21/S1', 5, 'EPC_NOT_ENCODABLE'], // prefix length out of 6..12
    ['https://id.gs1.org/01/09506000134352/21/S1', 13, 'EPC_NOT_ENCODABLE'],
    ['https://id.gs1.org/01/09506000134352/21/S1', 7.5, 'EPC_NOT_ENCODABLE'],
    ['https://id.gs1.org/8004/40000ABC', 7, 'EPC_NOT_ENCODABLE'], // GIAI shorter than / not digits in the prefix
    ['https://id.gs1.org/8004/4000001', 7, 'EPC_NOT_ENCODABLE'], // nothing after the prefix
    ['https://id.gs1.org/414/9506000134352/7040/1A2B', 7, 'EPC_NOT_ENCODABLE'], // (7040) has no EPC form
    ['https://id.gs1.org/8018/385888700111111111/8019/12', 7, 'EPC_NOT_ENCODABLE'],
    ['https://id.gs1.org/8006/040123451234560102/10/L1', 7, 'EPC_NOT_ENCODABLE'],
    ['https://id.gs1.org/01/09506000134353/21/S1', 7, 'INCORRECT_CHECK_DIGIT'],
  ] as const)('refuses %s with GCP length %d: %s', (dl, gcpLength, code) => {
    expect(digitalLinkToEpcUri(dl, gcpLength)).toMatchObject({ ok: false, code });
  });
});

describe('element strings (TDS §7, Annex E)', () => {
  for (const v of tds.vectors.filter((x) => x.element_string !== null)) {
    it(`${v.pure_uri} ↔ ${v.element_string}`, () => {
      expect(epcUriToElementString(v.pure_uri)).toEqual({ ok: true, value: v.element_string });
      expect(elementStringToEpcUri(v.element_string ?? '', gcpLengthOf(v.pure_uri))).toEqual({ ok: true, value: v.pure_uri });
    });
  }

  it('escapes "(" inside a value as \\( and reads it back', () => {
    const urn = 'urn:epc:id:sgtin:0614141.812345.a(b)';
    expect(epcUriToElementString(urn)).toEqual({ ok: true, value: '(01)80614141123458(21)a\\(b)' });
    expect(elementStringToEpcUri('(01)80614141123458(21)a\\(b)', 7)).toEqual({ ok: true, value: urn });
  });

  it('ignores AIs that are not part of the key, and refuses two keys', () => {
    expect(elementStringToEpcUri('(01)80614141123458(17)261231(10)L1(21)6789', 7)).toEqual({
      ok: true,
      value: 'urn:epc:id:sgtin:0614141.812345.6789',
    });
    expect(elementStringToEpcUri('(00)106141412345678908(01)80614141123458', 7)).toMatchObject({ ok: false, code: 'EPC_NOT_ENCODABLE' });
    expect(elementStringToEpcUri('(01)80614141123458(21)A(21)B', 7)).toMatchObject({ ok: false, code: 'CONFLICTING_REPEATED_AI' });
    expect(elementStringToEpcUri('(17)261231', 7)).toMatchObject({ ok: false, code: 'NOT_GS1' });
  });
});

describe('when the EPC URN is malformed or not convertible', () => {
  it.each([
    ...tds.invalid.filter((v) => v.reason.startsWith('invalid')).map((v) => [v.uri, 'INVALID_EPC'] as const),
    ['urn:epc:id:sgtin:0614141.812345', 'INVALID_EPC'], // missing serial
    ['urn:epc:id:sgtin:0614141.812345.', 'INVALID_EPC'], // empty serial
    ['urn:epc:id:sgtin:0614141.81234X.1', 'INVALID_EPC'],
    ['urn:epc:id:sgtin:0614141.812345.a/b', 'INVALID_EPC'], // "/" must be escaped (TDS Table A-1)
    ['urn:epc:id:sgtin:0614141.812345.a#b', 'INVALID_EPC'],
    ['urn:epc:id:sgtin:0614141.812345.a b', 'INVALID_EPC'],
    ['urn:epc:id:sgtin:0614141.812345.a%2', 'INVALID_EPC'], // truncated escape
    ['urn:epc:id:sgtin:0614141.812345.a%20', 'INVALID_EPC'], // space is not in character set 82
    ['urn:epc:id:sgtin:0614141.812345.a%C3%A9', 'INVALID_EPC'],
    ['urn:epc:id:sgtin:0614141.812345.caf\u00e9', 'INVALID_EPC'],
    ['urn:epc:id:sscc:0614141.123456789', 'INVALID_EPC'], // 16 digits, not 17
    ['urn:epc:id:grai:0614141.12345.12345678901234567', 'INVALID_EPC'], // serial > 16
    ['urn:epc:id:giai:061414112345.1234567890123456789', 'INVALID_EPC'], // > 30 characters
    ['urn:epc:id:cpi:0614141.abc.1', 'INVALID_EPC'], // CPI reference is character set 39
    ['urn:epc:id:cpi:0614141.ABC.01', 'INVALID_EPC'], // serial without leading zero
    ['urn:epc:id:itip:0614141.812345.03.02.1', 'INVALID_EPC'], // piece 3 of 2
    ['urn:epc:id:itip:0614141.812345.00.02.1', 'INVALID_EPC'],
    ['urn:epc:id:sgcn:0614141.12345.1234567890123', 'INVALID_EPC'],
    ['urn:epc:idpat:sgtin:0614141.812345', 'INVALID_EPC'],
    ['urn:epc:sgtin:0614141.812345.1', 'INVALID_EPC'],
    ['urn:isbn:0451450523', 'INVALID_EPC'],
    ['https://id.gs1.org/01/80614141123458/21/6789', 'INVALID_EPC'],
    ['', 'EMPTY_INPUT'],
    [`urn:epc:id:giai:0614141.${'1'.repeat(300)}`, 'INPUT_TOO_LONG'],
    ['urn:epc:id:usdod:CAGE1.5678', 'UNSUPPORTED_EPC_SCHEME'],
    ['urn:epc:id:gid:31415.271828.1414', 'UNSUPPORTED_EPC_SCHEME'], // valid, but a GID is not a GS1 key
    ['urn:epc:tag:sgtin-96:3.0614141.812345.6789', 'UNSUPPORTED_EPC_SCHEME'],
    ['urn:epc:idpat:sgtin:0614141.*.*', 'UNSUPPORTED_EPC_SCHEME'],
    ['urn:epc:idpat:sscc:0614141.*', 'UNSUPPORTED_EPC_SCHEME'],
    ['urn:epc:class:lgtin-x:0614141.812345.L1', 'UNSUPPORTED_EPC_SCHEME'],
  ] as const)('refuses %s with %s', (uri, code) => {
    const r = epcUriToDigitalLink(uri);
    expect(r).toMatchObject({ ok: false, code });
    expect(GS1_ERROR_CODES).toContain(r.ok ? '' : r.code);
  });

  it('accepts a valid GID as a pure identity even though it has no Digital Link', () => {
    expect(parseEpcUri('urn:epc:id:gid:31415.271828.1414')).toMatchObject({ ok: true, value: { scheme: 'gid' } });
  });

  it('accepts URNs that SGTIN-96 cannot hold but that are valid pure identities', () => {
    for (const v of tds.invalid.filter((x) => x.reason.startsWith('not SGTIN-96'))) {
      expect(epcUriToDigitalLink(v.uri).ok, v.uri).toBe(true);
    }
  });
});
