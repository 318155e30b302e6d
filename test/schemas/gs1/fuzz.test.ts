// Property tests: the parsers take anything a scanner or an attacker can send and answer with a typed result.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GS1_ERROR_CODES, type Gs1ErrorCode } from '../../../schemas/codes.js';
import type { Result } from '../../../schemas/result.js';
import {
  formatDigitalLink,
  parseBracketed,
  parseDigitalLink,
  parseElementString,
  parseScan,
  toBracketed,
  toElementString,
  type Gs1Scan,
} from '../../../schemas/gs1/index.js';
import { standardsPath } from '../../harness/standards-dir.js';

const CODES = new Set<string>(GS1_ERROR_CODES);
const RUNS = 10_000;

const { vectors } = JSON.parse(
  readFileSync(standardsPath('gs1', 'element-string-vectors.json'), 'utf8'),
) as { vectors: { kind: string; input: string; valid: boolean }[] };

const valid = (kinds: readonly string[]): string[] =>
  vectors.filter((v) => v.valid && kinds.includes(v.kind) && v.input !== ']d1TESTING').map((v) => v.input);

const PHARMA = ']d20109520123456788211234567890AB\u001d10LOT42\u001d17260500';
const DL = 'https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426&3103=000195#frag';

const SEEDS: Readonly<Record<string, readonly string[]>> = {
  parseScan: [...valid(['scan-data', 'digital-link']), PHARMA, `${PHARMA}\r\n`, `]d1${DL}`, '(01)09520123456788(21)X(10)Y', ']E02112233789657'],
  parseElementString: [...valid(['element-string-fnc1']), '^0109520123456788211234^10ABC^17260500', '^00952012345678912345^02095201234567883725'],
  parseBracketed: [...valid(['bracketed-to-fnc1', 'ai-associations']), '(01)09520123456788(10)A\\(B(21)S', '(8030)AB-_=(253)9520123456788S1'],
  parseDigitalLink: [...valid(['digital-link']), DL, 'https://a/x/y/01/9520123456788/22/A%2Fb?99=x%2By&utm=1', 'https://id.gs1.org/414/9520123456788/254/32a%2Fb'],
};

/** Characters that matter to the grammars, so random strings reach deep into the parsers. */
const INTERESTING = fc.constantFrom(
  ...'0123456789'.split(''),
  ...'0123456789'.split(''),
  '^', '\u001d', '(', ')', '\\', '%', '/', '?', '&', '=', '#', '+', ':', ']', '.', '-', '_', ' ',
  'A', 'Z', 'a', 'z', 'd', 'Q', 'C', 'e', 'J', 'E', 'F', 'h', 't', 'p', 's', '~', '\r', '\n', '\u0000', 'é', '\u{1F48A}',
);
const PREFIXES = fc.constantFrom('', ']d2', ']Q3', ']C1', ']e0', ']J1', ']d1', ']Q1', ']E0', '^', '(', 'https://', 'HTTP://a/', ']d1https://id.gs1.org/01/', '^01', '(01)', '(21)');

const randomInput: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: INTERESTING, maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.tuple(PREFIXES, fc.string({ unit: INTERESTING, maxLength: 120 })).map(([p, s]) => p + s),
);

/** Insertions, deletions, replacements and duplications applied to a valid input. */
function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 6 }), fc.constantFrom('insert', 'delete', 'replace', 'duplicate'), fc.string({ unit: INTERESTING, minLength: 1, maxLength: 4 }));
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) => {
    let s = seed;
    for (const [at, len, op, text] of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      if (op === 'insert') s = s.slice(0, i) + text + s.slice(i);
      else if (op === 'delete') s = s.slice(0, i) + s.slice(i + len);
      else if (op === 'replace') s = s.slice(0, i) + text + s.slice(i + text.length);
      else s = s.slice(0, i) + s.slice(i, i + len) + s.slice(i);
    }
    return s;
  });
}

function isWellFormed(r: Result<unknown, Gs1ErrorCode>, input: string | undefined): boolean {
  if (r.ok) return r.value !== undefined && r.value !== null;
  return (
    r.ok === false &&
    CODES.has(r.code) &&
    typeof r.message === 'string' &&
    (r.position === undefined ||
      (Number.isInteger(r.position) && r.position >= 0 && (input === undefined || r.position <= input.length)))
  );
}

/** A parse never throws, answers in shape, and whatever it accepts can be written back out. */
function holds(parse: (s: string) => Result<Gs1Scan, Gs1ErrorCode>, input: string): boolean {
  const r = parse(input);
  if (!isWellFormed(r, input)) return false;
  if (!r.ok) return true;
  const written = toElementString(r.value);
  const bracketed = toBracketed(r.value);
  const link = formatDigitalLink(r.value, { validateAssociations: false });
  return written.ok && bracketed.ok && isWellFormed(link, undefined);
}

const PARSERS: Readonly<Record<string, (s: string) => Result<Gs1Scan, Gs1ErrorCode>>> = {
  parseScan: (s) => parseScan(s),
  parseElementString: (s) => parseElementString(s),
  parseBracketed: (s) => parseBracketed(s),
  parseDigitalLink: (s) => parseDigitalLink(s),
};

for (const [name, parse] of Object.entries(PARSERS)) {
  describe(`${name} on hostile input`, () => {
    it(`answers ${RUNS} random strings with ok or a known code, never a throw`, () => {
      fc.assert(fc.property(randomInput, (s) => holds(parse, s)), { numRuns: RUNS });
    });

    it(`answers ${RUNS} mutations of valid inputs with ok or a known code, never a throw`, () => {
      // Seeds valid under the default (association-checking) parse; the engine's syntax-only vectors drop out.
      const seeds = (SEEDS[name] ?? []).filter((seed) => parse(seed).ok);
      expect(seeds.length).toBeGreaterThanOrEqual(3);
      fc.assert(fc.property(mutated(seeds), (s) => holds(parse, s)), { numRuns: RUNS });
    });

    it('refuses a 1 MB input with INPUT_TOO_LONG', () => {
      const huge = (SEEDS[name]?.[0] ?? '') + 'A'.repeat(1 << 20);
      expect(parse(huge)).toMatchObject({ ok: false, code: 'INPUT_TOO_LONG' });
    });

    it('gets through 1 MB of adversarial input even when the cap is lifted (linear time)', () => {
      const options = { maxLength: 2 << 20 };
      for (const huge of [
        `^${'11991225'.repeat(1 << 17)}`,
        `]d2${'11991225'.repeat(1 << 17)}`,
        `(${'('.repeat(1 << 20)}`,
        `(10)${'\\('.repeat(1 << 19)}`,
        `https://a/${'01/'.repeat(1 << 18)}`,
        `https://a/01/09520123456788?${'&'.repeat(1 << 20)}`,
        `https://a/01/09520123456788?${'99=A&'.repeat(1 << 18)}`,
        `https://a/01/${'%41'.repeat(1 << 18)}`,
        `^${'99A\u001d'.repeat(1 << 18)}`,
      ]) {
        const r = name === 'parseScan' ? parseScan(huge, options)
          : name === 'parseElementString' ? parseElementString(huge, options)
          : name === 'parseBracketed' ? parseBracketed(huge, options)
          : parseDigitalLink(huge, options);
        expect(isWellFormed(r, huge)).toBe(true);
      }
    });
  });
}
