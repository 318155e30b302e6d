// Every vector of standards/gs1/element-string-vectors.json (compiled from gs1-syntax-engine's unit tests), by kind.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Gs1ErrorCode } from '../../../schemas/codes.js';
import type { Result } from '../../../schemas/result.js';
import {
  LINTERS,
  parseBracketed,
  parseDigitalLink,
  parseElementString,
  parseScan,
  toElementString,
  type Gs1Scan,
} from '../../../schemas/gs1/index.js';
import { standardsPath } from '../../harness/standards-dir.js';

interface Vector {
  readonly kind: string;
  readonly input: string;
  readonly valid: boolean;
  readonly expected: string | null;
  readonly source_path: string;
  readonly note: string;
}

const file = standardsPath('gs1', 'element-string-vectors.json');
const { vectors } = JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] };

/** The stable code each failure described in a vector's `expected` text maps to. */
const CODE_FOR_EXPECTED: Readonly<Record<string, Gs1ErrorCode>> = {
  'incorrect check digit (csum linter)': 'INCORRECT_CHECK_DIGIT',
  '(01) too short': 'AI_VALUE_TOO_SHORT',
  'non-numeric in N14': 'INVALID_NUMERIC_CHARACTER',
  "'~' not in CSET 82": 'INVALID_CSET82_CHARACTER',
  'no such AI': 'UNKNOWN_AI',
  'no FNC1 in first position': 'MISSING_FNC1',
  "'^' rejected (conflated with FNC1)": 'INVALID_CSET82_CHARACTER',
  'empty AI value': 'AI_VALUE_TOO_SHORT',
  'requisite missing: (21) needs (01),(03) or (8006)': 'MISSING_REQUIRED_AI',
  'mutually exclusive (01)/(02)': 'EXCLUDED_AI_PAIR',
  'mutually exclusive (01)/(37)': 'EXCLUDED_AI_PAIR',
  'mutually exclusive (21)/(235)': 'EXCLUDED_AI_PAIR',
  'same AI repeated with different values': 'CONFLICTING_REPEATED_AI',
  'empty GS1 data': 'EMPTY_INPUT',
  'no symbology identifier': 'NOT_GS1',
  'EAN-13 bad check digit': 'INCORRECT_CHECK_DIGIT',
  'key qualifier (10) given as query param': 'INVALID_DIGITAL_LINK',
  'duplicate AI': 'INVALID_DIGITAL_LINK',
  'mixed-case scheme': 'INVALID_DIGITAL_LINK',
  GS1_LINTER_INCORRECT_CHECK_DIGIT: 'INCORRECT_CHECK_DIGIT',
  GS1_LINTER_ILLEGAL_DAY: 'INVALID_DATE',
  GS1_LINTER_ILLEGAL_MONTH: 'INVALID_DATE',
  GS1_LINTER_DATE_TOO_LONG: 'INVALID_DATE',
  'GS1_LINTER_INVALID_CSET82_CHARACTER (space)': 'INVALID_CSET82_CHARACTER',
};

/**
 * Plain data in a plain DataMatrix: the engine accepts it as non-GS1 data, a Pedigree gateway refuses it
 * (standards/README.md).
 */
const PEDIGREE_REFUSES: Readonly<Record<string, Gs1ErrorCode>> = { ']d1TESTING': 'NOT_GS1' };

const NO_ASSOCIATIONS = { validateAssociations: false } as const;

const PARSERS: Readonly<Record<string, (input: string) => Result<Gs1Scan, Gs1ErrorCode>>> = {
  // The engine ran these with AI association checks off (standards/README.md).
  'element-string-fnc1': (input) => parseElementString(input, NO_ASSOCIATIONS),
  'bracketed-to-fnc1': (input) => parseBracketed(input, NO_ASSOCIATIONS),
  'ai-associations': (input) => parseBracketed(input),
  'scan-data': (input) => parseScan(input),
  'digital-link': (input) => parseDigitalLink(input),
};

const LINTER_FOR_KIND: Readonly<Record<string, string>> = {
  'linter-csum': 'csum',
  'linter-yymmd0': 'yymmd0',
  'linter-cset82': 'cset82',
};

function label(v: Vector): string {
  return `${JSON.stringify(v.input)} (${v.valid ? 'valid' : v.expected})`;
}

describe('element-string-vectors.json', () => {
  it('has only kinds this suite knows how to run', () => {
    const known = new Set([...Object.keys(PARSERS), ...Object.keys(LINTER_FOR_KIND)]);
    expect(vectors.filter((v) => !known.has(v.kind)).map((v) => v.kind)).toEqual([]);
    expect(vectors.length).toBeGreaterThanOrEqual(45);
  });

  for (const [kind, parse] of Object.entries(PARSERS)) {
    describe(`kind ${kind}`, () => {
      for (const v of vectors.filter((x) => x.kind === kind)) {
        const refusedCode = PEDIGREE_REFUSES[v.input];
        if (refusedCode !== undefined) {
          it(`refuses ${label(v)} with ${refusedCode} although the engine accepts it as plain data`, () => {
            const r = parse(v.input);
            expect(r.ok ? 'ok' : r.code).toBe(refusedCode);
          });
        } else if (v.valid) {
          it(`accepts ${label(v)}${v.expected ? ` as ${v.expected}` : ''}`, () => {
            const r = parse(v.input);
            if (!r.ok) expect.fail(`${r.code}: ${r.message}`);
            if (v.expected !== null) expect(toElementString(r.value)).toEqual({ ok: true, value: v.expected });
          });
        } else {
          const code = CODE_FOR_EXPECTED[v.expected ?? ''];
          it(`rejects ${label(v)} with ${code ?? '?'}`, () => {
            expect(code, `map the expected text ${JSON.stringify(v.expected)} to a code`).toBeDefined();
            const r = parse(v.input);
            expect(r.ok ? 'ok' : r.code).toBe(code);
          });
        }
      }
    });
  }

  for (const [kind, name] of Object.entries(LINTER_FOR_KIND)) {
    describe(`kind ${kind}`, () => {
      const linter = LINTERS[name];
      for (const v of vectors.filter((x) => x.kind === kind)) {
        it(`${v.valid ? 'passes' : 'fails'} ${label(v)}`, () => {
          expect(linter).toBeDefined();
          const failure = linter?.(v.input, 0, v.input.length);
          if (v.valid) expect(failure).toBeUndefined();
          else expect(failure?.code).toBe(CODE_FOR_EXPECTED[v.expected ?? '']);
        });
      }
    });
  }
});

describe('positions reported for the vectors', () => {
  it('points at the check digit of a GTIN with the wrong one', () => {
    expect(parseElementString('^0112345678901234')).toMatchObject({ position: 16, path: '(01)' });
  });
  it('points at the first non-digit of a numeric AI', () => {
    expect(parseElementString('^01A2345678901231')).toMatchObject({ position: 3, path: '(01)' });
  });
  it("points at the '~' outside CSET 82", () => {
    expect(parseElementString('^99~ABC')).toMatchObject({ position: 3, path: '(99)' });
  });
  it('points at the space in the CSET 82 linter vector', () => {
    expect(LINTERS.cset82?.('ABC ', 0, 4)?.at).toBe(3);
  });
  it('points at the day of 29 February in a common year and at the month 13', () => {
    expect(LINTERS.yymmd0?.('210229', 0, 6)?.at).toBe(4);
    expect(LINTERS.yymmd0?.('201310', 0, 6)?.at).toBe(2);
  });
  it('points at the misplaced key qualifier of a Digital Link', () => {
    const input = 'https://example.com/01/09520123456788?10=ABC123';
    expect(parseDigitalLink(input)).toMatchObject({ position: input.indexOf('10=') });
  });
});
