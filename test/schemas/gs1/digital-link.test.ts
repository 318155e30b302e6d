// GS1 Digital Link parsing (cases from gs1-syntax-engine src/c-lib/dl.c) and Pedigree's canonical formatting.

import { describe, expect, it } from 'vitest';
import {
  formatDigitalLink,
  parseDigitalLink,
  pglnDigitalLink,
  sglnDigitalLink,
  ssccDigitalLink,
  toElementString,
  unitDigitalLink,
} from '../../../schemas/gs1/index.js';

/** Parses, and returns the element string the engine's tests expect, or the error code. */
function elementString(uri: string, options?: Parameters<typeof parseDigitalLink>[1]): string {
  const r = parseDigitalLink(uri, options);
  if (!r.ok) return r.code;
  const e = toElementString(r.value);
  return e.ok ? e.value : e.code;
}

describe('parsing a Digital Link', () => {
  it('accepts any host, http or https in either case, and a path prefix before the primary key', () => {
    expect(elementString('http://a/00/006141411234567890')).toBe('^00006141411234567890');
    expect(elementString('HTTP://a/00/006141411234567890')).toBe('^00006141411234567890');
    expect(elementString('HTTPS://a/00/006141411234567890')).toBe('^00006141411234567890');
    expect(elementString('https://a/more/stem/00/006141411234567890')).toBe('^00006141411234567890');
    expect(elementString('https://a/00/faux/00/006141411234567890')).toBe('^00006141411234567890');
    expect(elementString('https://a:65535/01/12312312312333')).toBe('^0112312312312333');
    expect(elementString('https://[2001:db8::1]/01/12312312312333')).toBe('^0112312312312333');
    expect(elementString('https://xn--fsq.xn--0zwm56d/01/12312312312333')).toBe('^0112312312312333');
  });

  it('refuses a mixed-case or foreign scheme, a missing host or path, and bad host characters', () => {
    for (const uri of [
      'HtTp://a/b/00/006141411234567890',
      'ftp://a/00/006141411234567890',
      'http://',
      'http:///',
      'http://a',
      'http://a/',
      'http://a/b',
      'https://$a/00/006141411234567890',
      'https://[fe80::1%25lo]/01/12312312312333',
      'https://a/stem/00/006141411234567890/',
    ]) {
      expect(parseDigitalLink(uri), uri).toMatchObject({ ok: false, code: 'INVALID_DIGITAL_LINK' });
    }
  });

  it('reads key qualifiers from the path only in dictionary order', () => {
    expect(elementString('https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ')).toBe('^011231231231233322TEST^10ABC^21XYZ');
    expect(elementString('https://a/01/12312312312333/235/TEST')).toBe('^0112312312312333235TEST');
    expect(elementString('https://a/8018/123456789012345675/8019/123')).toBe('^8018123456789012345675^8019123');
    expect(parseDigitalLink('https://a/01/12312312312333/10/ABC/22/TEST')).toMatchObject({ code: 'INVALID_DIGITAL_LINK', position: 35 });
    expect(parseDigitalLink('https://a/01/12312312312333/22/A/10/B/235/C')).toMatchObject({ code: 'INVALID_DIGITAL_LINK' });
  });

  it('reads data attributes from the query, ignoring non-AI parameters and the fragment', () => {
    expect(elementString('https://a/stem/00/006141411234567890?')).toBe('^00006141411234567890');
    expect(elementString('https://a/stem/00/006141411234567890?99=ABC')).toBe('^0000614141123456789099ABC');
    expect(elementString('https://a/stem/401/12345678?99=ABC')).toBe('^40112345678^99ABC');
    expect(elementString('https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&')).toBe('^011231231231233399ABC^98XYZ');
    expect(elementString('https://a/01/12312312312333?singleton1&unknown1=555&99=ABC&singleton2&98=XYZ')).toBe('^011231231231233399ABC^98XYZ');
    expect(elementString('https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment')).toBe('^011231231231233322test^10abc^21xyz');
    expect(elementString('https://a/stem/00/006141411234567890?99=ABC#')).toBe('^0000614141123456789099ABC');
    expect(elementString('https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123')).toBe(
      '^0095201234567891234502095201234567883725^10ABC123',
    );
    expect(elementString('https://example.com/8004/9520614141234567?01=09520123456788')).toBe('^80049520614141234567^0109520123456788');
  });

  it('refuses empty values, unknown numeric parameters, duplicates and misplaced qualifiers', () => {
    expect(parseDigitalLink('https://a/01/12312312312333?99=')).toMatchObject({ code: 'AI_VALUE_TOO_SHORT' });
    expect(parseDigitalLink('https://a/01/12312312312333?99=ABC&999=faux')).toMatchObject({ code: 'UNKNOWN_AI', position: 35 });
    expect(parseDigitalLink('https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788')).toMatchObject({
      code: 'INVALID_DIGITAL_LINK',
    });
    expect(parseDigitalLink('https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789')).toMatchObject({
      code: 'INVALID_DIGITAL_LINK',
    });
    expect(parseDigitalLink('https://example.com/01/09520123456788/89/ABC123?99=XYZ')).toMatchObject({ code: 'INVALID_DIGITAL_LINK' });
    expect(parseDigitalLink('https://example.com/01/09520123456788?99=XYZ&89=ABC123')).toMatchObject({ code: 'UNKNOWN_AI' });
    expect(elementString('https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123')).toBe('^0109520123456788235XYZ^10ABC123');
  });

  it('refuses an AI that is not a permitted data attribute in the query', () => {
    expect(parseDigitalLink('https://id.gs1.org/414/9520123456788?254=X')).toMatchObject({ code: 'INVALID_DIGITAL_LINK' });
    expect(parseDigitalLink('https://id.gs1.org/01/09520123456788?21=X')).toMatchObject({ code: 'INVALID_DIGITAL_LINK' });
  });

  it('percent-decodes values; + is a space only in the query', () => {
    expect(elementString('https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987')).toBe('^011231231231233322ABC-123^99ABC^98XYZ/987');
    expect(elementString('https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987')).toBe('^011231231231233322ABC+123^99ABC^98XYZ/987');
    expect(parseDigitalLink('https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987')).toMatchObject({
      code: 'INVALID_CSET82_CHARACTER',
      path: '(98)',
      position: 54,
    });
    expect(elementString('https://id.gs1.org/414/9520123456788/254/32a%2Fb')).toBe('^414952012345678825432a/b');
    expect(parseDigitalLink('https://a/01/12312312312333/21/A%00B')).toMatchObject({ code: 'INVALID_DIGITAL_LINK', position: 32 });
  });

  it('reports the original position of a bad character behind percent-encoding', () => {
    expect(parseDigitalLink('https://a/01/12312312312333/21/%41%7E')).toMatchObject({ code: 'INVALID_CSET82_CHARACTER', position: 34 });
  });

  it('zero-pads a GTIN-8, -12 or -13 to GTIN-14 unless told not to', () => {
    expect(elementString('https://a/01/2112345678900')).toBe('^0102112345678900');
    expect(elementString('https://a/01/416000336108')).toBe('^0100416000336108');
    expect(elementString('https://a/01/02345673')).toBe('^0100000002345673');
    expect(elementString('https://brand.example.com/some-extra/pathinfo/01/9520123456788')).toBe('^0109520123456788');
    expect(elementString('https://a/01/2112345678900', { zeroPadShortGtin: false })).toBe('AI_VALUE_TOO_SHORT');
    expect(elementString('https://id.gs1.org/01/9520123456788?17=201225&3103=000195&3922=0299')).toBe(
      '^010952012345678817201225310300019539220299',
    );
  });

  it('lints values after the structure: a wrong check digit is INCORRECT_CHECK_DIGIT at its position', () => {
    expect(parseDigitalLink('https://id.gs1.org/01/09520123456789/21/X')).toMatchObject({ code: 'INCORRECT_CHECK_DIGIT', position: 35 });
    expect(parseDigitalLink('https://id.gs1.org/01/09520123456788?17=261332')).toMatchObject({ code: 'INVALID_DATE', path: '(17)' });
  });

  it('refuses characters no URI may contain', () => {
    expect(parseDigitalLink('https://id.gs1.org/01/09520123456788/21/A B')).toMatchObject({ code: 'INVALID_DIGITAL_LINK', position: 41 });
    expect(parseDigitalLink('https://id.gs1.org/01/09520123456788/21/Aé')).toMatchObject({ code: 'INVALID_DIGITAL_LINK' });
  });
});

describe('formatting the canonical Digital Link', () => {
  it('puts the key and its qualifiers in the path on id.gs1.org and the rest in the query', () => {
    const ais = [
      { ai: '17', value: '260500' },
      { ai: '21', value: '12345' },
      { ai: '01', value: '09520123456788' },
      { ai: '10', value: 'ABC1' },
    ];
    expect(formatDigitalLink(ais)).toEqual({ ok: true, value: 'https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=260500' });
  });

  it('puts predefined-length attributes before variable-length ones, as the engine does', () => {
    const r = parseDigitalLink('https://example.com/01/09520123456788?3922=0299&17=201225&3103=000195');
    expect(r.ok && formatDigitalLink(r.value)).toEqual({
      ok: true,
      value: 'https://id.gs1.org/01/09520123456788?17=201225&3103=000195&3922=0299',
    });
  });

  it('canonicalises any host, prefix, short GTIN and escaping', () => {
    for (const [uri, canonical] of [
      ['http://brand.example/x/y/01/9520123456788/21/A%2FB', 'https://id.gs1.org/01/09520123456788/21/A%2FB'],
      ['HTTPS://EXAMPLE.COM/01/09520123456788/10/L%211?17=260500#x', 'https://id.gs1.org/01/09520123456788/10/L%211?17=260500'],
      ['https://id.gs1.org/414/9520123456788/254/32a%2fb', 'https://id.gs1.org/414/9520123456788/254/32a%2Fb'],
    ] as const) {
      const r = parseDigitalLink(uri, { validateAssociations: false });
      expect(r.ok && formatDigitalLink(r.value, { validateAssociations: false }), uri).toEqual({ ok: true, value: canonical });
    }
  });

  it('round-trips: format(parse(x)) parses back to the same AIs', () => {
    for (const uri of [
      'https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426',
      'https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123',
      'https://id.gs1.org/8004/9520614141234567?01=09520123456788',
      "https://id.gs1.org/01/09520123456788/21/a%2Fb%27c%25d",
    ]) {
      const first = parseDigitalLink(uri);
      expect(first.ok, uri).toBe(true);
      if (!first.ok) continue;
      const formatted = formatDigitalLink(first.value);
      expect(formatted).toEqual({ ok: true, value: uri });
      const again = formatted.ok ? parseDigitalLink(formatted.value) : formatted;
      expect(again.ok && again.value.ais).toEqual(first.value.ais);
    }
  });

  it('accepts another stem', () => {
    expect(formatDigitalLink([{ ai: '00', value: '952012345678912345' }], { stem: 'https://example.com/dl/' })).toEqual({
      ok: true,
      value: 'https://example.com/dl/00/952012345678912345',
    });
  });

  it('refuses what a Digital Link cannot say', () => {
    expect(formatDigitalLink([{ ai: '10', value: 'A' }], { validateAssociations: false })).toMatchObject({ code: 'INVALID_DIGITAL_LINK' });
    expect(formatDigitalLink([{ ai: '21', value: 'A' }])).toMatchObject({ code: 'MISSING_REQUIRED_AI' });
    expect(formatDigitalLink([{ ai: '414', value: '9520123456788' }, { ai: '8020', value: 'X' }], { validateAssociations: false })).toMatchObject({
      code: 'INVALID_DIGITAL_LINK',
    });
    expect(formatDigitalLink([{ ai: '01', value: '09520123456789' }])).toMatchObject({ code: 'INCORRECT_CHECK_DIGIT' });
    expect(formatDigitalLink({ ais: [] })).toMatchObject({ code: 'EMPTY_INPUT' });
    expect(formatDigitalLink(null as unknown as [])).toMatchObject({ ok: false });
  });
});

describe('identifier helpers (DESIGN.md §2)', () => {
  it('write the unit, SSCC, SGLN and PGLN forms', () => {
    expect(unitDigitalLink('09520123456788', 'ABC123')).toEqual({ ok: true, value: 'https://id.gs1.org/01/09520123456788/21/ABC123' });
    expect(unitDigitalLink('9520123456788', 'A/1')).toEqual({ ok: true, value: 'https://id.gs1.org/01/09520123456788/21/A%2F1' });
    expect(ssccDigitalLink('952012345678912345')).toEqual({ ok: true, value: 'https://id.gs1.org/00/952012345678912345' });
    expect(sglnDigitalLink('9520123456788')).toEqual({ ok: true, value: 'https://id.gs1.org/414/9520123456788' });
    expect(sglnDigitalLink('9520123456788', 'DOCK3')).toEqual({ ok: true, value: 'https://id.gs1.org/414/9520123456788/254/DOCK3' });
    expect(pglnDigitalLink('9520123456788')).toEqual({ ok: true, value: 'https://id.gs1.org/417/9520123456788' });
  });

  it('refuse bad identifiers with the linter code', () => {
    expect(unitDigitalLink('09520123456789', 'A')).toMatchObject({ ok: false, code: 'INCORRECT_CHECK_DIGIT' });
    expect(unitDigitalLink('09520123456788', 'A'.repeat(21))).toMatchObject({ ok: false, code: 'AI_VALUE_TOO_LONG' });
    expect(unitDigitalLink('09520123456788', 'A B')).toMatchObject({ ok: false, code: 'INVALID_CSET82_CHARACTER' });
    expect(ssccDigitalLink('95201234567891234')).toMatchObject({ ok: false, code: 'AI_VALUE_TOO_SHORT' });
    expect(sglnDigitalLink('9520123456789')).toMatchObject({ ok: false, code: 'INCORRECT_CHECK_DIGIT' });
    expect(pglnDigitalLink(undefined as unknown as string)).toMatchObject({ ok: false });
  });

  it('answer a location or party asked again the same, without confusing arguments or growing without bound', () => {
    for (let i = 0; i < 3; i++) {
      expect(sglnDigitalLink('9520123456788', 'DOCK3')).toEqual({ ok: true, value: 'https://id.gs1.org/414/9520123456788/254/DOCK3' });
      expect(sglnDigitalLink('9520123456788')).toEqual({ ok: true, value: 'https://id.gs1.org/414/9520123456788' });
      expect(sglnDigitalLink('9520123456789')).toMatchObject({ ok: false, code: 'INCORRECT_CHECK_DIGIT' });
    }
    // The same characters split differently between GLN and extension are different locations.
    expect(sglnDigitalLink('9520123456788|X')).toMatchObject({ ok: false });
    expect(sglnDigitalLink('9520123456788', 'X')).toMatchObject({ ok: true });
    expect(pglnDigitalLink('9520123456788')).toEqual({ ok: true, value: 'https://id.gs1.org/417/9520123456788' });
    // Thousands of distinct hostile values later, a known one still answers right.
    for (let i = 0; i < 3000; i++) sglnDigitalLink('9520123456788', `D${i}`);
    expect(sglnDigitalLink('9520123456788', 'DOCK3')).toEqual({ ok: true, value: 'https://id.gs1.org/414/9520123456788/254/DOCK3' });
  });
});
