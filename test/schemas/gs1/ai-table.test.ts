// The generated AI table: up to date with the Syntax Dictionary, complete, and consistent with what the parser assumes.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSyntaxDictionary, renderAiTable } from '../../../schemas/gs1/generate-ai-table.js';
import { AI_DICTIONARY_RELEASE, AI_TABLE, LINTERS, lookupAi } from '../../../schemas/gs1/index.js';
import { standardsPath } from '../../harness/standards-dir.js';

const dictionaryText = readFileSync(standardsPath('gs1', 'gs1-syntax-dictionary.txt'), 'utf8');
const committed = readFileSync(new URL('../../../schemas/gs1/ai-table.generated.ts', import.meta.url), 'utf8');

describe('ai-table.generated.ts', () => {
  it('is exactly what the generator makes from the shared dictionary (run npm run generate:ai-table)', () => {
    expect(renderAiTable(parseSyntaxDictionary(dictionaryText), dictionaryText)).toBe(committed);
  });

  it('names the dictionary release it was generated from', () => {
    expect(AI_DICTIONARY_RELEASE).toBe('2026-01-27');
    expect(committed).toMatch(/^\/\/ GENERATED FILE: do not edit by hand/);
  });

  it('expands AI ranges', () => {
    const ais = AI_TABLE.map((e) => e.ai);
    for (const ai of ['3100', '3105', '3925', '91', '99', '7039']) expect(ais).toContain(ai);
    expect(ais).not.toContain('3106');
    expect(lookupAi('3103')?.entry).toMatchObject({ fixedLength: true, ex: ['310n'], title: 'NET WEIGHT (kg)' });
  });

  it('records flags, components, req groups, ex lists and Digital Link key sequences', () => {
    expect(lookupAi('01')?.entry).toMatchObject({
      fixedLength: true,
      dlDataAttribute: true,
      components: [{ cset: 'N', min: 14, max: 14, optional: false, linters: ['csum', 'gcppos2'] }],
      ex: ['255', '37'],
      dlpkey: [['22', '10', '21'], ['235']],
    });
    expect(lookupAi('21')?.entry).toMatchObject({ fixedLength: false, dlDataAttribute: false, req: [[['01'], ['03'], ['8006']]] });
    expect(lookupAi('7004')?.entry.req).toEqual([[['01', '10']]]);
    expect(lookupAi('250')?.entry.req).toEqual([[['01'], ['8006']], [['21']]]);
    expect(lookupAi('00')?.entry.dlpkey).toEqual([[]]);
    expect(lookupAi('253')?.entry.components[1]).toEqual({ cset: 'X', min: 1, max: 17, optional: true, linters: [] });
    expect(lookupAi('8010')?.entry.components[0]?.cset).toBe('Y');
    expect(lookupAi('8030')?.entry.components[0]?.cset).toBe('Z');
  });

  it('uses only linters that are implemented', () => {
    const names = new Set(AI_TABLE.flatMap((e) => e.components.flatMap((c) => c.linters)));
    expect([...names].filter((name) => LINTERS[name] === undefined)).toEqual([]);
  });

  it('gives all AIs that share their first two digits the same length (GS1 GenSpecs §7.8)', () => {
    const lengths = new Map<string, Set<number>>();
    for (const e of AI_TABLE) lengths.set(e.ai.slice(0, 2), (lengths.get(e.ai.slice(0, 2)) ?? new Set()).add(e.ai.length));
    expect([...lengths.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('marks as predefined-length exactly the prefixes of GS1 GenSpecs Figure 7.8.5-2', () => {
    const predefined = new Set(['00', '01', '02', '03', '04', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '31', '32', '33', '34', '35', '36', '41']);
    for (const e of AI_TABLE) expect(e.fixedLength, e.ai).toBe(predefined.has(e.ai.slice(0, 2)));
  });

  it('is sorted and has no duplicates', () => {
    const ais = AI_TABLE.map((e) => e.ai);
    expect([...ais].sort()).toEqual(ais);
    expect(new Set(ais).size).toBe(ais.length);
  });
});

describe('parsing the dictionary format', () => {
  it('refuses a malformed line rather than guessing', () => {
    expect(() => parseSyntaxDictionary('01 *? Q14 # BAD')).toThrow(/line 1/);
    expect(() => parseSyntaxDictionary('3105-3100 *? N6 # BACKWARDS')).toThrow(/range/);
  });
});
