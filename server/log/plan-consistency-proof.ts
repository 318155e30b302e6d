// Which stored nodes a consistency proof needs (RFC 9162 §2.1.4.1), computed from the two tree sizes alone.
import { err, ok, type Result } from '../../schemas/result.js';
import type { LogErrorCode } from './log-errors.js';
import { EMPTY_PROOF_PLAN, planFromRanges, type ProofPlan } from './proof-plan.js';
import { largestPowerOfTwoBelow } from './subtree-ranges.js';
import { isTreeSize } from './tree-sizes.js';

/**
 * The plan of PROOF(from, D[0:to]) = SUBPROOF(from, D[0:to], true) (RFC 9162 §2.1.4.1): with k the largest power
 * of two below n, SUBPROOF(m, D[0:n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) when m <= k, else
 * SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]); it ends with {} when m = n and b is true, {MTH(D[0:m])} when false.
 * As for inclusion, only the first right-hand range met on the right edge is not a complete stored subtree, so the
 * plan reads at most 2·⌈log2 to⌉ nodes.
 *
 * `from = to` gives the empty proof (the roots must simply be equal). `from = 0` also gives the empty proof: the
 * empty tree is consistent with every tree, and C2SP tlog-witness requires an empty proof for old size 0 (RFC 9162
 * defines proofs for 0 < m <= n only). `from` and `to` are attacker-controlled.
 */
export function planConsistencyProof(from: number, to: number): Result<ProofPlan, LogErrorCode> {
  if (!isTreeSize(from)) return err('SIZE_OUT_OF_RANGE', `tree size ${from} is not a non-negative integer`);
  if (!isTreeSize(to)) return err('SIZE_OUT_OF_RANGE', `tree size ${to} is not a non-negative integer`);
  if (from > to) {
    return err('INVALID_RANGE', `a consistency proof goes from a smaller tree to a larger one, not ${from} to ${to}`);
  }
  if (from === 0 || from === to) return ok(EMPTY_PROOF_PLAN);
  const ranges: (readonly [number, number])[] = [];
  let start = 0;
  let end = to;
  let oldSize = from; // m, relative to start
  // b of §2.1.4.1: the old leaves in [start, end) are the whole old tree, whose root the verifier already holds.
  let oldRootKnown = true;
  while (oldSize !== end - start) {
    const split = largestPowerOfTwoBelow(end - start);
    if (oldSize <= split) {
      ranges.push([start + split, end]);
      end = start + split;
    } else {
      ranges.push([start, start + split]);
      start += split;
      oldSize -= split;
      oldRootKnown = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}; SUBPROOF(m, D[m], true) = {}.
  if (!oldRootKnown) ranges.push([start, end]);
  return ok(planFromRanges(ranges.reverse()));
}
