// Syntax Dictionary linters, on cases taken from gs1-syntax-engine's own unit tests (src/c-lib/syntax/lint_*.c).

import { describe, expect, it } from 'vitest';
import { LINTERS, type LintFailure } from '../../../schemas/gs1/index.js';

function lint(name: string, value: string): LintFailure | undefined {
  const linter = LINTERS[name];
  if (linter === undefined) throw new Error(`no linter ${name}`);
  return linter(value, 0, value.length);
}

function passes(name: string, values: readonly string[]): void {
  for (const v of values) expect(lint(name, v), `${name}(${JSON.stringify(v)})`).toBeUndefined();
}

/** Each case is [value, expected code, expected offset of the first bad character]. */
function fails(name: string, cases: readonly (readonly [string, string, number])[]): void {
  for (const [v, code, at] of cases) {
    expect(lint(name, v), `${name}(${JSON.stringify(v)})`).toMatchObject({ code, at });
  }
}

describe('check digits', () => {
  it('accepts correct mod-10 check digits and points at a wrong one', () => {
    passes('csum', ['12345678901231', '123456789012345675', '09520123456788']);
    fails('csum', [
      ['12345678901232', 'INCORRECT_CHECK_DIGIT', 13],
      ['1234567890123A', 'INVALID_NUMERIC_CHARACTER', 13],
    ]);
  });

  it('accepts GS1 alphanumeric check character pairs and points at the pair when wrong', () => {
    passes('csumalpha', ['22', '!22', '1987654Ad4X4bL5ttr2310c2K', '12345_!"%&\'()*+,-./LC', '00000!HV', '7907665Bm8v2AB']);
    fails('csumalpha', [
      ['', 'INVALID_COMPONENT', 0],
      ['33', 'INCORRECT_CHECK_DIGIT', 0],
      ['1987654Ad4X4bL5ttr2310cXK', 'INCORRECT_CHECK_DIGIT', 23],
      ['123456789 1234567890123NT', 'INVALID_CSET82_CHARACTER', 9],
      ['12345678901234567890123N ', 'INCORRECT_CHECK_DIGIT', 24],
    ]);
  });

  it('checks IBANs by country code and mod-97', () => {
    passes('iban', ['GB98MIDL07009312345678', 'BE71096123456769', 'MT90MALT011000012345MTLCAST001SABC']);
    fails('iban', [
      ['BE71096123456760', 'INCORRECT_CHECK_DIGIT', 2],
      ['XX361234567890', 'INVALID_COMPONENT', 0],
      ['BE71', 'INVALID_COMPONENT', 0],
      ['LC14BOSLxx3456789012345678901230', 'INVALID_COMPONENT', 8],
    ]);
  });
});

describe('GS1 Company Prefix (length-only, no GCP table)', () => {
  it('requires four leading digits from the first (gcppos1/key) or second (gcppos2) position', () => {
    passes('gcppos1', ['0123', '01234', '0123A']);
    passes('key', ['0123']);
    passes('gcppos2', ['I0123', 'I0123A']);
    fails('gcppos1', [
      ['012', 'INVALID_COMPONENT', 0],
      ['01A3X', 'INVALID_COMPONENT', 2],
    ]);
    fails('gcppos2', [
      ['I', 'INVALID_COMPONENT', 0],
      ['I012A', 'INVALID_COMPONENT', 4],
    ]);
  });
});

describe('dates and times', () => {
  it('validates YYMMDD with leap years and allows DD=00 only in yymmd0', () => {
    passes('yymmd0', ['000606', '200131', '200229', '240229', '000229', '960229', '200600']);
    passes('yymmdd', ['240229', '991231']);
    fails('yymmd0', [
      ['200010', 'INVALID_DATE', 2],
      ['201310', 'INVALID_DATE', 2],
      ['200132', 'INVALID_DATE', 4],
      ['210229', 'INVALID_DATE', 4],
      ['200431', 'INVALID_DATE', 4],
      ['2x0131', 'INVALID_NUMERIC_CHARACTER', 1],
      ['11111', 'INVALID_DATE', 0],
    ]);
    fails('yymmdd', [['200600', 'INVALID_DATE', 4]]);
  });

  it('validates YYYYMMDD with Gregorian leap years', () => {
    passes('yyyymmdd', ['20000229', '20240229', '19991231']);
    fails('yyyymmdd', [
      ['19000229', 'INVALID_DATE', 6],
      ['20230229', 'INVALID_DATE', 6],
      ['20231301', 'INVALID_DATE', 4],
    ]);
  });

  it('validates hours, minutes and seconds', () => {
    passes('hhmi', ['0000', '2359', '1230']);
    passes('hh', ['00', '23']);
    passes('mi', ['59']);
    passes('ss', ['00', '59']);
    fails('hhmi', [
      ['2400', 'INVALID_TIME', 0],
      ['1260', 'INVALID_TIME', 2],
    ]);
    fails('hh', [['24', 'INVALID_TIME', 0]]);
    fails('ss', [['60', 'INVALID_TIME', 0]]);
  });
});

describe('code lists', () => {
  it('knows ISO 3166 numeric, alpha-2 and ISO 4217 codes', () => {
    passes('iso3166', ['004', '276', '840', '894']);
    passes('iso3166999', ['999', '276']);
    passes('iso3166alpha2', ['AD', 'DE', 'ZW']);
    passes('iso4217', ['978', '840', '999']);
    fails('iso3166', [
      ['999', 'INVALID_COMPONENT', 0],
      ['000', 'INVALID_COMPONENT', 0],
      ['AAA', 'INVALID_COMPONENT', 0],
    ]);
    fails('iso3166alpha2', [['AA', 'INVALID_COMPONENT', 0]]);
    fails('iso4217', [['004', 'INVALID_COMPONENT', 0]]);
  });

  it('knows package types, media types, importer indexes and single-digit codes', () => {
    passes('packagetype', ['1A', '200', 'BGE', '8', 'ZZ']);
    passes('mediatype', ['01', '10', '80', '99']);
    passes('importeridx', ['-', '0', 'A', '_', 'z']);
    passes('yesno', ['0', '1']);
    passes('winding', ['0', '1', '9']);
    passes('iso5218', ['0', '1', '2', '9']);
    fails('packagetype', [['_9', 'INVALID_COMPONENT', 0]]);
    fails('mediatype', [['00', 'INVALID_COMPONENT', 0]]);
    fails('importeridx', [['!', 'INVALID_COMPONENT', 0]]);
    fails('yesno', [['2', 'INVALID_COMPONENT', 0]]);
    fails('winding', [['2', 'INVALID_COMPONENT', 0]]);
    fails('iso5218', [['3', 'INVALID_COMPONENT', 0]]);
  });
});

describe('structured values', () => {
  it('checks percent-encoding', () => {
    passes('pcenc', ['', 'ABC%20XYZ', '%ff', '%Ff']);
    fails('pcenc', [
      ['ABC%fgXYZ', 'INVALID_COMPONENT', 3],
      ['ABC%g', 'INVALID_COMPONENT', 3],
      ['%2', 'INVALID_COMPONENT', 0],
    ]);
  });

  it('checks piece-of-total', () => {
    passes('pieceoftotal', ['11', '0103', '998999']);
    fails('pieceoftotal', [
      ['111', 'INVALID_COMPONENT', 0],
      ['01', 'INVALID_COMPONENT', 0],
      ['0100', 'INVALID_COMPONENT', 2],
      ['0908', 'INVALID_COMPONENT', 0],
      ['5x55', 'INVALID_NUMERIC_CHARACTER', 1],
    ]);
  });

  it('checks position-in-sequence', () => {
    passes('posinseqslash', ['1/1', '9/10', '100/100']);
    fails('posinseqslash', [
      ['1/', 'INVALID_COMPONENT', 0],
      ['0/1', 'INVALID_COMPONENT', 0],
      ['1/02', 'INVALID_COMPONENT', 2],
      ['10/9', 'INVALID_COMPONENT', 0],
    ]);
  });

  it('checks latitude and longitude ranges', () => {
    passes('latitude', ['0000000000', '1800000000']);
    passes('longitude', ['3600000000']);
    fails('latitude', [
      ['1800000001', 'INVALID_COMPONENT', 0],
      ['027908584', 'INVALID_COMPONENT', 0],
    ]);
    fails('longitude', [['3600000001', 'INVALID_COMPONENT', 0]]);
  });

  it('checks zero, non-zero, zero prefixes, non-digits and hyphens', () => {
    passes('zero', ['0']);
    passes('nonzero', ['0001']);
    passes('nozeroprefix', ['', '1', '10']);
    passes('hasnondigit', ['12A']);
    passes('hyphen', ['-']);
    fails('zero', [['1', 'INVALID_COMPONENT', 0]]);
    fails('nonzero', [['0000', 'INVALID_COMPONENT', 0]]);
    fails('nozeroprefix', [
      ['0', 'INVALID_COMPONENT', 0],
      ['012', 'INVALID_COMPONENT', 0],
    ]);
    fails('hasnondigit', [['123', 'INVALID_COMPONENT', 0]]);
    fails('hyphen', [['+', 'INVALID_COMPONENT', 0]]);
  });
});

describe('character sets', () => {
  it('checks CSET 82, CSET 39, CSET 64 and numeric membership', () => {
    passes('cset82', ['KLMNOPQRSTUVWXYZ_abc', '!"%&\'()*+,-./:;<=>?']);
    passes('cset39', ['#-/0123456789ABCXYZ']);
    passes('cset64', ['', '12', '12=', '1==', 'ABCabc0123456789-_']);
    passes('csetnumeric', ['0123456789']);
    fails('cset82', [
      ['ABC ', 'INVALID_CSET82_CHARACTER', 3],
      ['A#', 'INVALID_CSET82_CHARACTER', 1],
      ['é', 'INVALID_CSET82_CHARACTER', 0],
    ]);
    fails('cset39', [['AbC', 'INVALID_CSET39_CHARACTER', 1]]);
    fails('cset64', [
      ['AB C', 'INVALID_CSET64_CHARACTER', 2],
      ['123=', 'INVALID_CSET64_CHARACTER', 3],
      ['===', 'INVALID_CSET64_CHARACTER', 0],
    ]);
    fails('csetnumeric', [['12a', 'INVALID_NUMERIC_CHARACTER', 2]]);
  });
});

describe('linting a slice of a longer string', () => {
  it('reports offsets in the whole string', () => {
    expect(LINTERS.csum?.('xx12345678901232yy', 2, 16)).toMatchObject({ code: 'INCORRECT_CHECK_DIGIT', at: 15 });
    expect(LINTERS.yymmd0?.('(17)210229', 4, 10)).toMatchObject({ code: 'INVALID_DATE', at: 8 });
  });
});
