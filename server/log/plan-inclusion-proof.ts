// Which stored nodes an inclusion proof needs (RFC 9162 §2.1.3.1), computed from the index and tree size alone.
import { err, ok, type Result } from '../../schemas/result.js';
import type { LogErrorCode } from './log-errors.js';
import { planFromRanges, type ProofPlan } from './proof-plan.js';
import { largestPowerOfTwoBelow } from './subtree-ranges.js';
import { isLeafIndex, isTreeSize } from './tree-sizes.js';

/**
 * The plan of PATH(index, D[0:size]) (RFC 9162 §2.1.3.1): for n > 1 and k the largest power of two below n,
 * PATH(m, D[0:n]) = PATH(m, D[0:k]) : MTH(D[k:n]) when m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]).
 * Unrolled, each step adds the sibling range of the half the leaf is in; the proof lists them leaf first.
 * Every sibling is a complete stored subtree except at most one: the first right-hand sibling met while still on
 * the tree's right edge, which is folded from ≤ log2(size) complete subtrees. So the plan reads at most
 * 2·⌈log2 size⌉ nodes. `index` and `size` are attacker-controlled.
 */
export function planInclusionProof(index: number, size: number): Result<ProofPlan, LogErrorCode> {
  if (!isTreeSize(size)) return err('SIZE_OUT_OF_RANGE', `tree size ${size} is not a non-negative integer`);
  if (!isLeafIndex(index, size)) {
    return err('INDEX_OUT_OF_RANGE', `leaf index ${index} is not an integer in [0, ${size})`);
  }
  const siblings: (readonly [number, number])[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (index < split) {
      siblings.push([split, end]);
      end = split;
    } else {
      siblings.push([start, split]);
      start = split;
    }
  }
  // Found root first; the proof lists them from the leaf up.
  return ok(planFromRanges(siblings.reverse()));
}
