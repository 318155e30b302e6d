// Splitting a leaf range into the complete stored subtrees that make it up, and folding their hashes into MTH.
//
// Sizes and indices are JavaScript numbers (safe integers, so up to 2^53 - 1 leaves). Bitwise operators work on
// 32 bits only, so nothing here uses them on sizes: a log passes 2^31 entries long before it passes 2^53.
import { nodeHash } from './merkle-hashes.js';
import type { NodeKey } from './tree-nodes.js';

const TWO_POW_32 = 2 ** 32;

/** Number of bits needed to write a non-negative safe integer (0 → 0, 1 → 1, 5 → 3, 2^40 → 41). */
export function bitLength(value: number): number {
  return value < TWO_POW_32 ? 32 - Math.clz32(value) : 32 + bitLength(Math.floor(value / TWO_POW_32));
}

/** 2^k for k = 0 … 53, looked up: `2 ** k` with a variable k is a call to pow(), and proofs take ≈ 23 a verification. */
const POWERS_OF_TWO: readonly number[] = Array.from({ length: 54 }, (_, k) => 2 ** k);

/** The largest power of two strictly below `n` (n >= 2): the split point k of RFC 9162 §2.1.1. */
export function largestPowerOfTwoBelow(n: number): number {
  return POWERS_OF_TWO[bitLength(n - 1) - 1]!;
}

/**
 * The complete subtrees, left to right, that cover the leaves [start, end), one per set bit of `end - start`,
 * widest first. Requires `start` to be a multiple of 2^⌈log2(end - start)⌉ (true of [0, n) and of every right-edge
 * range an RFC 9162 proof descends into); then the right-to-left fold of their hashes (`foldSubtreeHashes`) is
 * exactly MTH(D[start:end]), because MTH splits at the largest power of two below the width (§2.1.1), which is the
 * first subtree here. Throws on a misaligned range: only the log's own planning code calls this.
 */
export function subtreeKeys(start: number, end: number): NodeKey[] {
  const width = end - start;
  // Most ranges of a proof are one complete subtree (width a power of two, start aligned to it).
  if (width > 0 && width < TWO_POW_32 && (width & (width - 1)) === 0 && start % width === 0) {
    return [{ level: 31 - Math.clz32(width), index: start / width }];
  }
  if (!(width >= 0) || start % 2 ** bitLength(width === 0 ? 0 : width - 1) !== 0) {
    throw new RangeError(`leaf range [${start}, ${end}) is not a right-edge range of complete subtrees`);
  }
  const keys: NodeKey[] = [];
  let position = start;
  let remaining = width;
  for (let level = bitLength(width) - 1; level >= 0; level--) {
    const size = 2 ** level;
    if (remaining >= size) {
      keys.push({ level, index: position / size });
      position += size;
      remaining -= size;
    }
  }
  return keys;
}

/**
 * MTH of a range from the hashes of its complete subtrees, left to right (as `subtreeKeys` lists them): the
 * rightmost two are joined first, RFC 9162 §2.1.1's recursion unrolled. Needs at least one hash.
 */
export function foldSubtreeHashes(hashes: readonly Uint8Array[]): Uint8Array {
  let root = hashes[hashes.length - 1];
  if (root === undefined) throw new RangeError('cannot fold an empty list of subtree hashes');
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i]!, root);
  return root;
}
