// AI association rules of the Syntax Dictionary: invalid pairs (ex=), mandatory associations (req=), repeats.

import type { Gs1ErrorCode } from '../codes.js';
import type { Err } from '../result.js';
import { matchesPattern, type AiPattern } from './ai-table.js';
import { aiError, type LocatedAi } from './ai-value.js';

/** AIs whose (8030) digital signature needs the optional serial component present (gs1-syntax-engine ai.c). */
const DIGSIG_SERIALISED_KEYS = ['253', '255', '8003'];

function describe(pattern: AiPattern): string {
  return `(${pattern.prefix}${'n'.repeat(pattern.length - pattern.prefix.length)})`;
}

/** Index in `distinct` of an AI other than `self` matching the pattern, or -1. Plain loops: this is the hot path. */
function findMatch(distinct: readonly LocatedAi[], p: AiPattern, self: string): number {
  for (let i = 0; i < distinct.length; i++) {
    const ai = (distinct[i] as LocatedAi).ai;
    if (ai !== self && matchesPattern(ai, p)) return i;
  }
  return -1;
}

/**
 * Checks the AIs of one scan (GS1 GenSpecs §4.14 "invalid pairs" and "mandatory associations") in the order
 * gs1-syntax-engine applies them: ex=, then req=, then repeated AIs with different values, then the (8030)
 * serialised-key rule. An AI never excludes or satisfies itself, even when it matches a pattern. Identical
 * repeats are fine (labels are often read twice). Undefined when all hold.
 */
export function checkAssociations(items: readonly LocatedAi[]): Err<Gs1ErrorCode> | undefined {
  // First occurrence of each AI, in input order; firstOf[i] is the index in `distinct` of items[i]'s AI.
  const distinct: LocatedAi[] = [];
  const firstOf: number[] = [];
  for (const item of items) {
    let k = 0;
    while (k < distinct.length && (distinct[k] as LocatedAi).ai !== item.ai) k++;
    if (k === distinct.length) distinct.push(item);
    firstOf.push(k);
  }

  for (let a = 0; a < distinct.length; a++) {
    const item = distinct[a] as LocatedAi;
    for (const p of item.def.ex) {
      const m = findMatch(distinct, p, item.ai);
      if (m < 0) continue;
      // Report at whichever of the two comes later: that is where the data stopped making sense.
      const later = m > a ? (distinct[m] as LocatedAi) : item;
      const earlier = m > a ? item : (distinct[m] as LocatedAi);
      return aiError('EXCLUDED_AI_PAIR', later.ai, `must not appear together with (${earlier.ai})`, later.aiAt);
    }
  }

  for (const item of distinct) {
    for (const group of item.def.req) {
      let satisfied = false;
      for (const alternative of group) {
        let all = true;
        for (const p of alternative) {
          if (findMatch(distinct, p, item.ai) < 0) {
            all = false;
            break;
          }
        }
        if (all) {
          satisfied = true;
          break;
        }
      }
      if (satisfied) continue;
      const needs = group.map((alternative) => alternative.map(describe).join('+')).join(' or ');
      return aiError('MISSING_REQUIRED_AI', item.ai, `requires ${needs}`, item.aiAt);
    }
  }

  for (let i = 0; i < items.length; i++) {
    const item = items[i] as LocatedAi;
    if (item.value !== (distinct[firstOf[i] ?? 0] as LocatedAi).value) {
      return aiError('CONFLICTING_REPEATED_AI', item.ai, 'appears again with a different value', item.aiAt);
    }
  }

  if (distinct.some((item) => item.ai === '8030')) {
    for (const item of distinct) {
      if (DIGSIG_SERIALISED_KEYS.includes(item.ai) && item.value.length === item.def.minLength) {
        return aiError('MISSING_REQUIRED_AI', item.ai, 'needs its serial component when signed by (8030)', item.aiAt);
      }
    }
  }
  return undefined;
}
