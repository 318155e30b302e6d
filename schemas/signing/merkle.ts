// RFC 6962 / RFC 9162 §2.1 Merkle tree hashing and proofs: verification for anyone, generation for tests.
//
// Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) literally, runs in O(log n)
// hashes (about 20 at size 1,000,000) and takes attacker-controlled proofs: it never throws. Edge cases follow
// transparency-dev/merkle: a consistency proof from an empty tree is refused, equal sizes need an empty proof
// and equal roots, and every hash must be 32 bytes. Generation (inclusionProof, consistencyProof) is the
// RFC 6962 §2.1.1/§2.1.2 recursive definition over an in-memory list of leaf hashes: a reference for tests and
// small trees; the server computes proofs from stored subtree hashes (server/log).
import { sha256 } from '@noble/hashes/sha2.js';
import { err, ok, type Result } from '../result.js';
import { bytesEqual } from './encoding.js';

/** SHA-256 output size: every leaf hash, node hash, root and proof element has this length. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** RFC 6962 §2.1 leaf hash: SHA-256(0x00 ‖ entry). An entry is one envelope's exact bytes (DESIGN.md §5). */
export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256.create().update(LEAF_PREFIX).update(entry).digest();
}

/** RFC 6962 §2.1 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256.create().update(NODE_PREFIX).update(left).update(right).digest();
}

/** Root of the empty tree: SHA-256 of the empty string, e3b0c442…b855 (RFC 6962 §2.1). */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/**
 * MTH(D[n]) (RFC 6962 §2.1) from the leaf hashes, in O(n) hashes and O(log n) memory: full subtrees are merged
 * as they complete, then the remaining ones (largest on the left) are folded from the right.
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot();
  const stack: { hash: Uint8Array; size: number }[] = [];
  for (const hash of leafHashes) {
    let node = { hash, size: 1 };
    for (let top = stack.at(-1); top !== undefined && top.size === node.size; top = stack.at(-1)) {
      stack.pop();
      node = { hash: nodeHash(top.hash, node.hash), size: top.size * 2 };
    }
    stack.push(node);
  }
  let root = stack.pop()!.hash;
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) root = nodeHash(top.hash, root);
  return root;
}

/** Largest power of two strictly below n (n ≥ 2): the split point k of RFC 6962 §2.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function assertSizes(leafHashes: readonly Uint8Array[]): void {
  for (const h of leafHashes) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) throw new TypeError('leaf hashes must be 32 bytes');
  }
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1, leaf's sibling first. */
function path(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  const n = leaves.length;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...path(m, leaves.slice(0, k)), rootFromLeafHashes(leaves.slice(k))];
  return [...path(m - k, leaves.slice(k)), rootFromLeafHashes(leaves.slice(0, k))];
}

/**
 * Inclusion proof (audit path) for leaf `index` in the tree of all `leafHashes` (RFC 6962 §2.1.1).
 * Reference implementation for tests: O(n log n) hashes. Throws RangeError when index is out of range.
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafHashes.length) {
    throw new RangeError(`index ${index} is not in a tree of size ${leafHashes.length}`);
  }
  assertSizes(leafHashes);
  return path(index, leafHashes);
}

/** SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2. */
function subproof(m: number, leaves: readonly Uint8Array[], complete: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [rootFromLeafHashes(leaves)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(m, leaves.slice(0, k), complete), rootFromLeafHashes(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), rootFromLeafHashes(leaves.slice(0, k))];
}

/**
 * Consistency proof from the tree of the first `size1` leaves to the tree of all `leafHashes` (RFC 6962 §2.1.2).
 * Empty when size1 equals the tree size. Throws RangeError when size1 is 0 (a proof from the empty tree is
 * meaningless) or larger than the tree.
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], size1: number): Uint8Array[] {
  if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > leafHashes.length) {
    throw new RangeError(`no consistency proof from size ${size1} to size ${leafHashes.length}`);
  }
  assertSizes(leafHashes);
  return size1 === leafHashes.length ? [] : subproof(size1, leafHashes, true);
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

function isTreeSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

// Tree sizes go up to 2^53 - 1, beyond 32-bit bitwise operators: halve with division instead of `>>`.
const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** Everything an inclusion proof is checked against (RFC 9162 §2.1.3.2 inputs). */
export interface InclusionProofInput {
  /** 0-based index of the leaf (DESIGN.md §5 entry index). */
  readonly index: number;
  /** Tree size the proof is for. */
  readonly size: number;
  readonly leafHash: Uint8Array;
  /** Audit path, the leaf's sibling first. */
  readonly proof: readonly Uint8Array[];
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1–4 plus the `sn = 0` check of step 5), or an
 * error when the proof cannot be one for (index, size). Attacker-controlled input: never throws.
 */
export function rootFromInclusionProof(input: InclusionProofInput): Result<Uint8Array, 'INCLUSION_PROOF_INVALID'> {
  const { index, size, leafHash: hash, proof } = input;
  if (!isTreeSize(index) || !isTreeSize(size)) {
    return err('INCLUSION_PROOF_INVALID', 'index and size must be non-negative safe integers');
  }
  if (index >= size) return err('INCLUSION_PROOF_INVALID', `index ${index} is not below size ${size}`);
  if (!isHash(hash)) return err('INCLUSION_PROOF_INVALID', 'leaf hash must be 32 bytes');
  if (!Array.isArray(proof) || !proof.every(isHash)) {
    return err('INCLUSION_PROOF_INVALID', 'every proof hash must be 32 bytes');
  }
  let fn = index;
  let sn = size - 1;
  let r = hash;
  for (const p of proof) {
    if (sn === 0) return err('INCLUSION_PROOF_INVALID', 'proof is longer than the path');
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return err('INCLUSION_PROOF_INVALID', 'proof is shorter than the path');
  return ok(r);
}

/** RFC 9162 §2.1.3.2: does the proof show that `leafHash` is at `index` in the tree of `size` with `root`? */
export function verifyInclusion(
  input: InclusionProofInput & { readonly root: Uint8Array },
): Result<true, 'INCLUSION_PROOF_INVALID'> {
  const computed = rootFromInclusionProof(input);
  if (!computed.ok) return computed;
  if (!isHash(input.root)) return err('INCLUSION_PROOF_INVALID', 'root must be 32 bytes');
  if (!bytesEqual(computed.value, input.root)) return err('INCLUSION_PROOF_INVALID', 'proof leads to another root');
  return ok(true);
}

/** Everything a consistency proof is checked against (RFC 9162 §2.1.4.2 inputs). */
export interface ConsistencyProofInput {
  readonly size1: number;
  readonly size2: number;
  readonly root1: Uint8Array;
  readonly root2: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

/**
 * RFC 9162 §2.1.4.2: is the tree of `size2` with `root2` an append-only extension of the tree of `size1` with
 * `root1`? Attacker-controlled input: never throws.
 */
export function verifyConsistency(input: ConsistencyProofInput): Result<true, 'CONSISTENCY_PROOF_INVALID'> {
  const { size1, size2, root1, root2, proof } = input;
  if (!isTreeSize(size1) || !isTreeSize(size2)) {
    return err('CONSISTENCY_PROOF_INVALID', 'sizes must be non-negative safe integers');
  }
  if (!isHash(root1) || !isHash(root2)) return err('CONSISTENCY_PROOF_INVALID', 'roots must be 32 bytes');
  if (!Array.isArray(proof) || !proof.every(isHash)) {
    return err('CONSISTENCY_PROOF_INVALID', 'every proof hash must be 32 bytes');
  }
  if (size1 > size2) return err('CONSISTENCY_PROOF_INVALID', `size1 ${size1} is larger than size2 ${size2}`);
  if (size1 === size2) {
    if (proof.length !== 0) return err('CONSISTENCY_PROOF_INVALID', 'equal sizes need an empty proof');
    if (!bytesEqual(root1, root2)) return err('CONSISTENCY_PROOF_INVALID', 'equal sizes but different roots');
    if (size1 === 0 && !bytesEqual(root1, emptyRoot())) {
      return err('CONSISTENCY_PROOF_INVALID', 'the empty tree has root SHA-256("")');
    }
    return ok(true);
  }
  if (size1 === 0) return err('CONSISTENCY_PROOF_INVALID', 'a consistency proof from the empty tree is meaningless');
  // Step 1.
  if (proof.length === 0) return err('CONSISTENCY_PROOF_INVALID', 'proof is empty');
  // Step 2: when size1 is an exact power of two, root1 is the first node of the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // Step 3.
  let fn = size1 - 1;
  let sn = size2 - 1;
  // Step 4.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  let fr = path[0]!;
  let sr = path[0]!;
  // Step 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return err('CONSISTENCY_PROOF_INVALID', 'proof is longer than the path');
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7.
  if (sn !== 0) return err('CONSISTENCY_PROOF_INVALID', 'proof is shorter than the path');
  if (!bytesEqual(fr, root1)) return err('CONSISTENCY_PROOF_INVALID', 'proof does not lead to root1');
  if (!bytesEqual(sr, root2)) return err('CONSISTENCY_PROOF_INVALID', 'proof does not lead to root2');
  return ok(true);
}

function isPowerOfTwo(x: number): boolean {
  if (x < 1) return false;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}
