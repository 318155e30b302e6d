import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeHex } from '../../../schemas/signing/encoding.js';
import {
  consistencyProof,
  emptyRoot,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '../../../schemas/signing/merkle.js';
import { standardsPath } from '../../harness/standards-dir.js';
import { flipByte, hex, jsonFilesUnder, readVector } from './helpers.js';

interface TreeVectors {
  leaves: string[];
  leafHashes: string[];
  rootsBySize: string[];
  inclusionProofs: { index: number; size: number; proof: string[] }[];
  consistencyProofs: { size1: number; size2: number; proof: string[] }[];
}
const tree = readVector<TreeVectors>('rfc6962-tree.json');
const leaves = tree.leaves.map(hex);
const leafHashes = leaves.map(leafHash);

const RFC6962_DIR = standardsPath('rfc6962');

/** The transparency-dev testdata encodes []byte as standard base64; decode strictly. */
function b64(text: string): Uint8Array {
  const bytes = decodeBase64(text);
  if (bytes === undefined) throw new Error(`bad base64 in test data: ${text}`);
  return bytes;
}

describe('RFC 6962 hashing of the transparency-dev leaf set', () => {
  it('hashes leaves as SHA-256(0x00 ‖ entry)', () => {
    expect(leafHashes.map(encodeHex)).toEqual(tree.leafHashes);
  });

  it('has the empty root SHA-256("") = e3b0c442…', () => {
    expect(encodeHex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each(tree.rootsBySize.map((root, size) => ({ size, root })))('has the published root at size $size', ({ size, root }) => {
    expect(encodeHex(rootFromLeafHashes(leafHashes.slice(0, size)))).toBe(root);
  });

  it('hashes interior nodes as SHA-256(0x01 ‖ left ‖ right)', () => {
    expect(encodeHex(nodeHash(leafHashes[0]!, leafHashes[1]!))).toBe(tree.rootsBySize[2]);
  });
});

describe('published known-good proofs (transparency-dev verify_test.go)', () => {
  it.each(tree.inclusionProofs)('inclusion of index $index in size $size', ({ index, size, proof }) => {
    const expected = proof.map(hex);
    const subset = leafHashes.slice(0, size);
    expect(inclusionProof(subset, index)).toEqual(expected);
    const root = hex(tree.rootsBySize[size]!);
    expect(verifyInclusion({ index, size, leafHash: leafHashes[index]!, proof: expected, root })).toEqual({ ok: true, value: true });
  });

  it.each(tree.consistencyProofs)('consistency from size $size1 to $size2', ({ size1, size2, proof }) => {
    const expected = proof.map(hex);
    expect(consistencyProof(leafHashes.slice(0, size2), size1)).toEqual(expected);
    const root1 = hex(tree.rootsBySize[size1]!);
    const root2 = hex(tree.rootsBySize[size2]!);
    expect(verifyConsistency({ size1, size2, root1, root2, proof: expected })).toEqual({ ok: true, value: true });
  });
});

interface InclusionFile {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyFile {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

/**
 * The one testdata file where we are deliberately stricter than transparency-dev/merkle: its roots are the
 * 12-byte string "don't care 2". The Go code returns root1 for equal sizes without looking at it; we refuse any
 * root that is not a 32-byte SHA-256 output (a checkpoint can never carry one).
 */
const STRICTER_THAN_GO = new Set(['consistency/additional/sizes-are-equal-one-and-proof-is-empty.json']);

describe('transparency-dev/merkle testdata in ../shared/standards/rfc6962 (every file)', () => {
  const inclusionFiles = jsonFilesUnder(join(RFC6962_DIR, 'inclusion'));
  const consistencyFiles = jsonFilesUnder(join(RFC6962_DIR, 'consistency'));
  const name = (path: string) => relative(RFC6962_DIR, path);

  it('finds the vector folders', () => {
    expect(inclusionFiles.length).toBeGreaterThan(60);
    expect(consistencyFiles.length).toBeGreaterThan(60);
    expect(inclusionFiles.filter((f) => f.endsWith('happy-path.json')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(inclusionFiles.map((f) => [name(f), f]))('%s', (_, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionFile;
    const result = verifyInclusion({
      index: v.leafIdx,
      size: v.treeSize,
      leafHash: b64(v.leafHash),
      proof: (v.proof ?? []).map(b64),
      root: b64(v.root),
    });
    expect(result.ok).toBe(!v.wantErr);
    if (!result.ok) expect(result.code).toBe('INCLUSION_PROOF_INVALID');
  });

  it.each(consistencyFiles.map((f) => [name(f), f]))('%s', (key, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyFile;
    const result = verifyConsistency({
      size1: v.size1,
      size2: v.size2,
      root1: b64(v.root1),
      root2: b64(v.root2),
      proof: (v.proof ?? []).map(b64),
    });
    if (STRICTER_THAN_GO.has(key)) {
      expect(v.wantErr).toBe(false);
      expect(result).toMatchObject({ ok: false, message: 'roots must be 32 bytes' });
      return;
    }
    expect(result.ok).toBe(!v.wantErr);
    if (!result.ok) expect(result.code).toBe('CONSISTENCY_PROOF_INVALID');
  });

  it('accepts the stricter-than-Go case once its roots are real hashes', () => {
    const root = leafHashes[3]!;
    expect(verifyConsistency({ size1: 1, size2: 1, root1: root, root2: root, proof: [] }).ok).toBe(true);
  });
});

function entry(i: number): Uint8Array {
  return Uint8Array.of(i & 0xff, i >> 8, 0x42);
}

// The probes are those of transparency-dev's verify_test.go. Size ± 1 alone is not a mutation that must fail:
// an inclusion proof for (index, n) can also be a valid proof shape for (index, n + 1) against the same root;
// what binds the size to the root is the signed checkpoint.
describe('generated proofs for every index of trees of size 1..64', () => {
  const all = Array.from({ length: 64 }, (_, i) => leafHash(entry(i)));
  const roots = Array.from({ length: 65 }, (_, n) => rootFromLeafHashes(all.slice(0, n)));

  it('inclusion proofs verify, and every mutation fails', () => {
    let checked = 0;
    for (let size = 1; size <= 64; size++) {
      const hashes = all.slice(0, size);
      const root = roots[size]!;
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(hashes, index);
        const good = { index, size, leafHash: hashes[index]!, proof, root };
        expect(verifyInclusion(good).ok).toBe(true);
        expect(rootFromInclusionProof(good)).toEqual({ ok: true, value: root });
        const bad = [
          { ...good, index: index + 1 },
          { ...good, index: index - 1 },
          { ...good, index: index ^ 2 },
          { ...good, size: size * 2 },
          { ...good, size: Math.floor(size / 2) },
          { ...good, leafHash: flipByte(good.leafHash, 0) },
          { ...good, root: roots[size - 1]! },
          { ...good, proof: [...proof, root] },
          { ...good, proof: [root, ...proof] },
          ...(proof.length > 0 ? [{ ...good, proof: proof.slice(0, -1) }] : []),
          ...proof.map((_, i) => ({ ...good, proof: proof.map((h, j) => (i === j ? flipByte(h, 31, 0x08) : h)) })),
        ];
        for (const probe of bad) {
          if (probe.index === index && probe.size === size && probe.proof === proof) continue; // index ^ 2 === index
          expect(verifyInclusion(probe).ok, `index ${probe.index} size ${probe.size} (was ${index}/${size}) proof ${probe.proof.length}`).toBe(false);
        }
        checked++;
      }
    }
    expect(checked).toBe((64 * 65) / 2);
  });

  it('consistency proofs verify between every pair of sizes, and every mutation fails', () => {
    for (let size2 = 1; size2 <= 64; size2++) {
      const hashes = all.slice(0, size2);
      for (let size1 = 1; size1 <= size2; size1++) {
        const proof = consistencyProof(hashes, size1);
        const good = { size1, size2, root1: roots[size1]!, root2: roots[size2]!, proof };
        expect(verifyConsistency(good).ok).toBe(true);
        if (size1 === size2) {
          expect(proof).toEqual([]);
          continue;
        }
        const bad = [
          { ...good, size1: size1 - 1 },
          { ...good, size1: size1 + 1 },
          { ...good, size1: size1 ^ 2 },
          { ...good, size2: size2 * 2 },
          { ...good, size2: Math.floor(size2 / 2) },
          { ...good, root1: roots[size1 - 1]! },
          { ...good, root2: roots[size2 - 1]! },
          { ...good, root1: good.root2, root2: good.root1 },
          { ...good, proof: [] },
          { ...good, proof: [...proof, good.root1] },
          { ...good, proof: [good.root2, ...proof] },
          { ...good, proof: proof.slice(0, -1) },
          ...proof.map((_, i) => ({ ...good, proof: proof.map((h, j) => (i === j ? flipByte(h, 0, 0x10) : h)) })),
        ];
        for (const probe of bad) {
          if (probe.size1 === size1 && probe.size2 === size2 && probe.proof === proof && probe.root1 === good.root1) continue;
          expect(verifyConsistency(probe).ok).toBe(false);
        }
      }
    }
  });
});

describe('verification refuses malformed input instead of throwing', () => {
  const h = leafHash(entry(1));
  const inclusion = { index: 0, size: 1, leafHash: h, proof: [] as Uint8Array[], root: h };

  it.each([
    ['index = size', { ...inclusion, index: 1 }],
    ['size 0', { ...inclusion, size: 0 }],
    ['a negative index', { ...inclusion, index: -1 }],
    ['a fractional size', { ...inclusion, size: 1.5 }],
    ['an index beyond 2^53', { ...inclusion, index: 18446744073709551615, size: 2 ** 60 }],
    ['NaN', { ...inclusion, index: Number.NaN }],
    ['a 31-byte leaf hash', { ...inclusion, leafHash: new Uint8Array(31) }],
    ['a 33-byte root', { ...inclusion, root: new Uint8Array(33) }],
    ['a proof hash of 0 bytes', { ...inclusion, size: 2, proof: [new Uint8Array(0)] }],
    ['a proof that is not an array', { ...inclusion, proof: 'x' as unknown as Uint8Array[] }],
    ['a proof hash that is not bytes', { ...inclusion, size: 2, proof: ['x' as unknown as Uint8Array] }],
    ['an extra hash for a single-leaf tree', { ...inclusion, proof: [h] }],
  ])('inclusion: %s', (_, input) => {
    expect(verifyInclusion(input)).toMatchObject({ ok: false, code: 'INCLUSION_PROOF_INVALID' });
  });

  it.each([
    ['size1 > size2', { size1: 2, size2: 1, root1: h, root2: h, proof: [] }],
    ['a proof from the empty tree', { size1: 0, size2: 1, root1: emptyRoot(), root2: h, proof: [h] }],
    ['an empty-tree start without a proof', { size1: 0, size2: 1, root1: emptyRoot(), root2: h, proof: [] }],
    ['equal sizes with a proof', { size1: 1, size2: 1, root1: h, root2: h, proof: [h] }],
    ['size 0 with a root other than SHA-256("")', { size1: 0, size2: 0, root1: h, root2: h, proof: [] }],
    ['a negative size', { size1: -1, size2: 1, root1: h, root2: h, proof: [] }],
    ['a 31-byte root', { size1: 1, size2: 2, root1: new Uint8Array(31), root2: h, proof: [h] }],
  ])('consistency: %s', (_, input) => {
    expect(verifyConsistency(input)).toMatchObject({ ok: false, code: 'CONSISTENCY_PROOF_INVALID' });
  });

  it('accepts the empty tree as consistent with itself', () => {
    expect(verifyConsistency({ size1: 0, size2: 0, root1: emptyRoot(), root2: emptyRoot(), proof: [] }).ok).toBe(true);
  });

  it('proof generation refuses impossible requests (a programming error)', () => {
    expect(() => inclusionProof([h], 1)).toThrow(RangeError);
    expect(() => inclusionProof([], 0)).toThrow(RangeError);
    expect(() => consistencyProof([h, h], 0)).toThrow(RangeError);
    expect(() => consistencyProof([h], 2)).toThrow(RangeError);
    expect(() => inclusionProof([new Uint8Array(3)], 0)).toThrow(TypeError);
  });
});

describe('at scale', () => {
  it('checks a proof at size 1,000,000 with ~20 hashes, and only the right proof length', () => {
    const size = 1_000_000;
    const index = 765_432;
    const filler = Array.from({ length: 64 }, (_, i) => leafHash(entry(i)));
    const lengths = [];
    for (let n = 0; n <= 64; n++) {
      if (rootFromInclusionProof({ index, size, leafHash: filler[0]!, proof: filler.slice(0, n) }).ok) lengths.push(n);
    }
    expect(lengths).toEqual([20]);
    const start = performance.now();
    for (let i = 0; i < 1000; i++) rootFromInclusionProof({ index, size, leafHash: filler[0]!, proof: filler.slice(0, 20) });
    const perProofMs = (performance.now() - start) / 1000;
    expect(perProofMs).toBeLessThan(1);
  });

  it('a generated proof for a tree of 5,000 leaves verifies, and consistency from 1,234', () => {
    const hashes = Array.from({ length: 5000 }, (_, i) => leafHash(entry(i)));
    const root = rootFromLeafHashes(hashes);
    const proof = inclusionProof(hashes, 4321);
    expect(proof.length).toBeLessThanOrEqual(13);
    expect(verifyInclusion({ index: 4321, size: 5000, leafHash: hashes[4321]!, proof, root }).ok).toBe(true);
    const c = consistencyProof(hashes, 1234);
    const root1 = rootFromLeafHashes(hashes.slice(0, 1234));
    expect(verifyConsistency({ size1: 1234, size2: 5000, root1, root2: root, proof: c }).ok).toBe(true);
    expect(HASH_SIZE).toBe(32);
  });
});
