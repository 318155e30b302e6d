// Runtime index over the generated Syntax Dictionary table: AI lookup by exact AI or by prefix of scanned data.

import type { AiCset, AiEntry } from './ai-entry.js';
import { AI_TABLE } from './ai-table.generated.js';
import { CSET_LINTERS, LINTERS, type Linter } from './linters.js';

export interface CompiledComponent {
  readonly cset: AiCset;
  readonly min: number;
  readonly max: number;
  readonly optional: boolean;
  /** Character-set linter first, then the dictionary's linters, in order (as gs1-syntax-engine runs them). */
  readonly linters: readonly Linter[];
}

/** An AI pattern from `req=`/`ex=`: `394n` matches any 4-digit AI starting 394. */
export interface AiPattern {
  readonly prefix: string;
  readonly length: number;
}

export interface AiDefinition {
  readonly ai: string;
  readonly entry: AiEntry;
  /** True when the AI is not of predefined length, so an FNC1/GS must follow it unless it ends the data. */
  readonly fnc1Required: boolean;
  readonly components: readonly CompiledComponent[];
  /** Shortest and longest value the components allow (optional components counted only in maxLength). */
  readonly minLength: number;
  readonly maxLength: number;
  readonly req: readonly (readonly (readonly AiPattern[])[])[];
  readonly ex: readonly AiPattern[];
}

function unknownLinter(name: string): Linter {
  // Fail closed: a dictionary that names a linter we do not implement must not let data through unchecked.
  return (_s, start) => ({ code: 'INVALID_COMPONENT', at: start, reason: `linter ${name} is not implemented` });
}

function pattern(p: string): AiPattern {
  let digits = 0;
  while (digits < p.length && p.charCodeAt(digits) >= 48 && p.charCodeAt(digits) <= 57) digits++;
  return { prefix: p.slice(0, digits), length: p.length };
}

function compile(entry: AiEntry): AiDefinition {
  const components = entry.components.map((c) => ({
    cset: c.cset,
    min: c.min,
    max: c.max,
    optional: c.optional,
    linters: [CSET_LINTERS[c.cset], ...c.linters.map((name) => LINTERS[name] ?? unknownLinter(name))],
  }));
  return {
    ai: entry.ai,
    entry,
    fnc1Required: !entry.fixedLength,
    components,
    minLength: entry.components.reduce((n, c) => n + (c.optional ? 0 : c.min), 0),
    maxLength: entry.components.reduce((n, c) => n + c.max, 0),
    req: entry.req.map((group) => group.map((alternative) => alternative.map(pattern))),
    ex: entry.ex.map(pattern),
  };
}

const BY_LENGTH: readonly (AiDefinition | undefined)[][] = [[], [], new Array(100), new Array(1000), new Array(10000)];
/** GS1 GenSpecs §7.8: the first two digits of an AI fix its length (0 = no AI starts so). */
const AI_LENGTH_BY_PREFIX = new Uint8Array(100);
const ALL: AiDefinition[] = [];

for (const entry of AI_TABLE) {
  const def = compile(entry);
  ALL.push(def);
  const slot = BY_LENGTH[entry.ai.length];
  if (slot) slot[Number(entry.ai)] = def;
  AI_LENGTH_BY_PREFIX[Number(entry.ai.slice(0, 2))] = entry.ai.length;
}

/** Every AI definition, sorted by AI. */
export const AI_DEFINITIONS: readonly AiDefinition[] = ALL;

/** The definition of an AI given exactly (e.g. '01', '3103'), or undefined if the dictionary has no such AI. */
export function lookupAi(ai: string): AiDefinition | undefined {
  const len = ai.length;
  if (len < 2 || len > 4) return undefined;
  let code = 0;
  for (let i = 0; i < len; i++) {
    const c = ai.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    code = code * 10 + c;
  }
  return BY_LENGTH[len]?.[code];
}

/** The AI that data s starting at offset `at` begins with (element strings carry no AI delimiters), if any. */
export function matchAiAt(s: string, at: number): AiDefinition | undefined {
  if (at + 1 >= s.length) return undefined;
  const c0 = s.charCodeAt(at) - 48;
  const c1 = s.charCodeAt(at + 1) - 48;
  if (c0 < 0 || c0 > 9 || c1 < 0 || c1 > 9) return undefined;
  const len = AI_LENGTH_BY_PREFIX[c0 * 10 + c1] ?? 0;
  if (len === 0 || at + len > s.length) return undefined;
  let code = c0 * 10 + c1;
  for (let i = at + 2; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    code = code * 10 + c;
  }
  return BY_LENGTH[len]?.[code];
}

/** True if `ai` (an AI actually present) matches a `req=`/`ex=` pattern. */
export function matchesPattern(ai: string, p: AiPattern): boolean {
  return ai.length === p.length && ai.startsWith(p.prefix);
}

// GS1 Digital Link 1.x §4: a primary key followed by an order-preserving subset of one of its qualifier sequences.
const DL_PATH_SEQUENCES = new Set<string>();
for (const def of ALL) {
  for (const qualifiers of def.entry.dlpkey ?? []) {
    for (let mask = 0; mask < 1 << qualifiers.length; mask++) {
      DL_PATH_SEQUENCES.add([def.ai, ...qualifiers.filter((_q, i) => (mask & (1 << i)) !== 0)].join(' '));
    }
  }
}

/** True for a GS1 Digital Link primary key AI (`dlpkey` in the dictionary). */
export function isDlPrimaryKey(ai: string): boolean {
  return DL_PATH_SEQUENCES.has(ai);
}

/** True if the AIs, in this order, form a valid Digital Link path (primary key, then qualifiers in order). */
export function isValidDlPathSequence(ais: readonly string[]): boolean {
  return DL_PATH_SEQUENCES.has(ais.join(' '));
}
