// The verification's proof is written by hand (inclusion-proof-text.ts): it must read back exactly as JSON.stringify
// would have written it, and keep the answer ASCII, the checkpoint note's em dash included.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asciiJsonString, inclusionProofText } from '../../../server/http/inclusion-proof-text.js';

const NOTE = 'pedigree.local/ledger\n5000000\nq9bM3yUgcYp0ZKxGpY1n9mJ4D8rW0aTqLzEo6hXfN2c=\n\n\u2014 pedigree.local/ledger AbCdEf0123==\n';

describe('inclusionProofText', () => {
  it('reads back as the proof JSON.stringify writes, for proofs of 0 to 40 hashes', () => {
    for (const n of [0, 1, 2, 23, 40]) {
      const proof = { index: 4_321_987, size: 5_000_000, entry: randomBytes(950), leafHash: randomBytes(32), hashes: Array.from({ length: n }, () => randomBytes(32)), checkpoint: NOTE };
      const expected = JSON.stringify({
        index: proof.index,
        size: proof.size,
        entry: proof.entry.toString('base64'),
        leafHash: proof.leafHash.toString('base64'),
        hashes: proof.hashes.map((h) => h.toString('base64')),
        checkpoint: NOTE,
      });
      const text = inclusionProofText(proof);
      expect(JSON.parse(text)).toEqual(JSON.parse(expected));
      expect(Object.keys(JSON.parse(text))).toEqual(Object.keys(JSON.parse(expected)));
      expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    }
  });

  it('writes hashes that are views into a larger buffer from their own bytes', () => {
    const backing = randomBytes(32 * 3 + 7);
    const hashes = [0, 1, 2].map((i) => new Uint8Array(backing.buffer, backing.byteOffset + 7 + 32 * i, 32));
    const parsed = JSON.parse(inclusionProofText({ index: 0, size: 3, entry: new Uint8Array(0), leafHash: hashes[0]!, hashes, checkpoint: NOTE }));
    expect(parsed.hashes).toEqual(hashes.map((h) => Buffer.from(h).toString('base64')));
    expect(parsed.entry).toBe('');
  });

  it('writes the note of each new checkpoint, not the one before', () => {
    const base = { index: 0, size: 1, entry: new Uint8Array([1]), leafHash: new Uint8Array(32), hashes: [] };
    expect(JSON.parse(inclusionProofText({ ...base, checkpoint: NOTE })).checkpoint).toBe(NOTE);
    const next = NOTE.replace('5000000', '5000001');
    expect(JSON.parse(inclusionProofText({ ...base, checkpoint: next })).checkpoint).toBe(next);
  });
});

describe('asciiJsonString', () => {
  it('reads back as the same string, written in ASCII only', () => {
    for (const s of ['', 'plain', '\u2014 em dash', 'Pharmacie Générale', 'quote " backslash \\ tab \t nul \u0000', '\u{1F48A} pill', 'lone \ud800 surrogate', '\u007f\u0080\uffff']) {
      const text = asciiJsonString(s);
      expect(JSON.parse(text)).toBe(s);
      expect(/^[\x20-\x7f]*$/.test(text), text).toBe(true); // DEL needs no escape in JSON
    }
  });
});
