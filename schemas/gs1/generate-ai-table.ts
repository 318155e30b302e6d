// Generates ai-table.generated.ts from the GS1 Barcode Syntax Dictionary; the one file in schemas/ that does I/O.
//
// Usage: npm run generate:ai-table [-- <dictionary path> [<output path>]]
// Default input: gs1/gs1-syntax-dictionary.txt under $PEDIGREE_STANDARDS_DIR, else under ../shared/standards relative to
// the repository root.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AiComponent, AiCset, AiEntry } from './ai-entry.js';

/** Where the dictionary came from; printed in the generated header. */
export const DICTIONARY_SOURCE =
  'standards/gs1/gs1-syntax-dictionary.txt (gs1/gs1-syntax-engine @ 50657dbd04ce78d8734e8793e054bf70dcba294b, src/c-lib/gs1-syntax-dictionary.txt)';

const FLAG_CHARS = new Set('*!?"$%&\'()+,-./:;<=>@[\\]^_`{|}~');
const COMPONENT_RE = /^(\[?)([NXYZ])(\d*)(\.\.(\d+))?(\]?)((?:,[a-z0-9]+)*)$/;

export interface ParsedDictionary {
  readonly release: string;
  readonly entries: readonly AiEntry[];
}

/** Parses the dictionary text (syntax described in its own header comment). Throws on malformed lines. */
export function parseSyntaxDictionary(text: string): ParsedDictionary {
  let release = 'unknown';
  const entries: AiEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let lineNo = 0; lineNo < lines.length; lineNo++) {
    const line = lines[lineNo] ?? '';
    const releaseMatch = /^#\s*Release:\s*(\S+)/.exec(line);
    if (releaseMatch?.[1] !== undefined) release = releaseMatch[1];
    if (line.trim() === '' || line.startsWith('#')) continue;

    const hash = line.indexOf('#');
    const title = hash >= 0 ? line.slice(hash + 1).trim() : '';
    const tokens = (hash >= 0 ? line.slice(0, hash) : line).trim().split(/\s+/);
    const fail = (why: string): never => {
      throw new Error(`gs1-syntax-dictionary line ${lineNo + 1}: ${why}: ${line}`);
    };

    const aiToken = tokens.shift() ?? fail('no AI');
    let flags = '';
    if (tokens[0] !== undefined && [...tokens[0]].every((c) => FLAG_CHARS.has(c))) flags = tokens.shift() ?? '';

    const components: AiComponent[] = [];
    const req: string[][][] = [];
    const ex: string[] = [];
    let dlpkey: string[][] | null = null;
    for (const token of tokens) {
      const m = COMPONENT_RE.exec(token);
      if (m) {
        const [, open, cset, fixed, range, max, close, linters] = m;
        if ((open === '[') !== (close === ']')) fail(`unbalanced brackets in ${token}`);
        const isRange = range !== undefined;
        const lo = fixed ? Number(fixed) : 1;
        const hi = isRange ? Number(max) : lo;
        if (!isRange && !fixed) fail(`component without length: ${token}`);
        components.push({
          cset: cset as AiCset,
          min: isRange ? lo : hi,
          max: hi,
          optional: open === '[',
          linters: linters ? linters.slice(1).split(',') : [],
        });
      } else if (token.startsWith('req=')) {
        req.push(token.slice(4).split(',').map((alt) => alt.split('+')));
      } else if (token.startsWith('ex=')) {
        ex.push(...token.slice(3).split(','));
      } else if (token === 'dlpkey') {
        dlpkey = [[]];
      } else if (token.startsWith('dlpkey=')) {
        dlpkey = token.slice(7).split('|').map((seq) => seq.split(','));
      } else {
        fail(`unrecognised token ${token}`);
      }
    }
    if (components.length === 0) fail('no components');

    const range = /^(\d{2,4})(?:-(\d{2,4}))?$/.exec(aiToken) ?? fail(`bad AI ${aiToken}`);
    const from = range[1] ?? '';
    const to = range[2] ?? from;
    if (to.length !== from.length || Number(to) < Number(from)) fail(`bad AI range ${aiToken}`);
    for (let n = Number(from); n <= Number(to); n++) {
      entries.push({
        ai: String(n).padStart(from.length, '0'),
        fixedLength: flags.includes('*'),
        dlDataAttribute: flags.includes('?'),
        components,
        req,
        ex,
        dlpkey,
        title,
      });
    }
  }

  entries.sort((a, b) => (a.ai < b.ai ? -1 : a.ai > b.ai ? 1 : 0));
  // GS1 GenSpecs §7.8: all AIs sharing their first two digits have the same length; the parser relies on it.
  const lengthByPrefix = new Map<string, number>();
  for (const e of entries) {
    const prefix = e.ai.slice(0, 2);
    const seen = lengthByPrefix.get(prefix);
    if (seen !== undefined && seen !== e.ai.length) throw new Error(`AIs starting ${prefix} have different lengths`);
    lengthByPrefix.set(prefix, e.ai.length);
    if (entries.filter((x) => x.ai === e.ai).length > 1) throw new Error(`AI ${e.ai} defined twice`);
  }
  return { release, entries };
}

/** Renders the generated module: one JSON object per AI per line, so diffs stay readable. */
export function renderAiTable(dictionary: ParsedDictionary, sourceText: string, sourceLabel = DICTIONARY_SOURCE): string {
  const sha256 = createHash('sha256').update(sourceText, 'utf8').digest('hex');
  const out = [
    '// GENERATED FILE: do not edit by hand. Regenerate with `npm run generate:ai-table`.',
    `// Source: ${sourceLabel}`,
    `// GS1 Barcode Syntax Dictionary release ${dictionary.release}; source sha256 ${sha256}.`,
    '// Copyright GS1 AISBL and contributors, Apache-2.0 (see the source file header).',
    '',
    "import type { AiEntry } from './ai-entry.js';",
    '',
    `export const AI_DICTIONARY_RELEASE = '${dictionary.release}';`,
    '',
    '/** Every AI of the dictionary, ranges expanded, sorted by AI. */',
    'export const AI_TABLE: readonly AiEntry[] = [',
    ...dictionary.entries.map((e) => `  ${JSON.stringify(e)},`),
    '];',
    '',
  ];
  return out.join('\n');
}

function main(argv: readonly string[]): void {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const repoRoot = resolve(here, '..', '..');
  const standardsDir = process.env.PEDIGREE_STANDARDS_DIR || resolve(repoRoot, '..', 'shared', 'standards');
  const defaultInput = resolve(standardsDir, 'gs1', 'gs1-syntax-dictionary.txt');
  const input = resolve(argv[0] ?? defaultInput);
  const output = resolve(argv[1] ?? resolve(here, 'ai-table.generated.ts'));
  const text = readFileSync(input, 'utf8');
  const dictionary = parseSyntaxDictionary(text);
  // An override input is named by its file name only, so the output stays independent of the machine.
  writeFileSync(output, renderAiTable(dictionary, text, input === defaultInput ? DICTIONARY_SOURCE : basename(input)));
  console.log(`wrote ${dictionary.entries.length} AIs (release ${dictionary.release}) to ${output}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
