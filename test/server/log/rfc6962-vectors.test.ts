// transparency-dev/merkle's RFC 6962 vectors (../shared/standards/rfc6962, provenance in its README), applied to
// proof GENERATION: every happy-path proof must come out of the node store byte for byte; the mutated proofs in the
// same folders test verifiers (schemas/signing), not us. The tree is RFC 6962's reference leaves (also
// transparency-dev/merkle testonly.LeafInputs); the vectors' own leaf hashes and roots confirm them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeHex } from '../../../schemas/signing/encoding.js';
import { leafHash } from '../../../schemas/signing/merkle.js';
import { getConsistencyProof, getInclusionProof, getRootAt } from '../../../server/log/proofs.js';
import { standardsPath } from '../../harness/standards-dir.js';
import { buildTree } from './tree-fixtures.js';

const VECTORS = standardsPath('rfc6962');

const RFC6962_LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const rfcLeafHashes = RFC6962_LEAF_INPUTS.map((hex) => leafHash(decodeHex(hex)!));

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function load<T>(folder: string): { file: string; vector: T }[] {
  const dir = join(VECTORS, folder);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file: `${folder}/${file}`, vector: JSON.parse(readFileSync(join(dir, file), 'utf8')) as T }));
}

const bytes = (base64: string): Uint8Array => decodeBase64(base64)!;

const inclusionVectors = load<InclusionVector>('inclusion');
const consistencyVectors = load<ConsistencyVector>('consistency');
const happyInclusion = inclusionVectors.filter(({ vector }) => !vector.wantErr);
// Leaving out the `additional` vectors whose roots are placeholders ("don't care"), not hashes of this tree.
const happyConsistency = consistencyVectors.filter(
  ({ vector }) => !vector.wantErr && bytes(vector.root1).length === 32,
);

describe('RFC 6962 vectors (transparency-dev/merkle testdata)', () => {
  it('finds the vector folders', () => {
    expect(happyInclusion.length).toBeGreaterThanOrEqual(6);
    expect(happyConsistency.length).toBeGreaterThanOrEqual(5);
  });

  describe.each(happyInclusion)('inclusion $file', ({ vector }) => {
    it('comes out of the node store as the vector proof, with its leaf hash and root', async () => {
      // The single-entry vectors use a leaf of their own: a one-leaf tree of it.
      const leaves = vector.treeSize === 1 ? [bytes(vector.leafHash)] : rfcLeafHashes.slice(0, vector.treeSize);
      const { store } = buildTree(leaves);
      const proof = await getInclusionProof(store, vector.leafIdx, vector.treeSize, leaves.length);
      expect(proof).toEqual({
        ok: true,
        value: {
          index: vector.leafIdx,
          size: vector.treeSize,
          leafHash: bytes(vector.leafHash),
          hashes: (vector.proof ?? []).map(bytes),
        },
      });
      expect(await getRootAt(store, vector.treeSize, leaves.length)).toEqual({ ok: true, value: bytes(vector.root) });
    });
  });

  describe.each(happyConsistency)('consistency $file', ({ vector }) => {
    it('comes out of the node store as the vector proof, between the vector roots', async () => {
      const { store } = buildTree(rfcLeafHashes);
      const proof = await getConsistencyProof(store, vector.size1, vector.size2, rfcLeafHashes.length);
      const hashes = (vector.proof ?? []).map(bytes);
      expect(proof).toEqual({ ok: true, value: { from: vector.size1, to: vector.size2, hashes } });
      expect(await getRootAt(store, vector.size1, 8)).toEqual({ ok: true, value: bytes(vector.root1) });
      expect(await getRootAt(store, vector.size2, 8)).toEqual({ ok: true, value: bytes(vector.root2) });
    });
  });

  describe('vectors asking for a leaf outside the tree', () => {
    const outside = inclusionVectors.filter(({ vector }) => vector.leafIdx >= vector.treeSize);
    it.each(outside)('$file is refused with INDEX_OUT_OF_RANGE', async ({ vector }) => {
      const { store } = buildTree(rfcLeafHashes);
      const proof = await getInclusionProof(store, vector.leafIdx, vector.treeSize, 8);
      expect(proof.ok || proof.code).toBe('INDEX_OUT_OF_RANGE');
    });
  });

  describe('vectors going from a larger tree to a smaller one', () => {
    const backwards = consistencyVectors.filter(({ vector }) => vector.size1 > vector.size2);
    it.each(backwards)('$file is refused with INVALID_RANGE', async ({ vector }) => {
      const { store } = buildTree(rfcLeafHashes);
      const proof = await getConsistencyProof(store, vector.size1, vector.size2, 8);
      expect(proof.ok || proof.code).toBe('INVALID_RANGE');
    });
  });
});
