// The ledger's node:crypto Merkle hashes give the very bytes of the shared (noble) ones every client verifies with.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as shared from '../../../schemas/signing/merkle.js';
import { leafHash, nodeHash } from '../../../server/log/merkle-hashes.js';

describe('server/log/merkle-hashes', () => {
  it('leafHash equals the shared leaf hash, empty entry and 1 byte to 70 KiB', () => {
    for (const n of [0, 1, 31, 32, 33, 64, 1000, 70_000]) {
      const entry = new Uint8Array(randomBytes(n));
      expect(leafHash(entry)).toEqual(shared.leafHash(entry));
    }
  });

  it('nodeHash equals the shared node hash, and the order of its children matters', () => {
    for (let i = 0; i < 50; i++) {
      const l = new Uint8Array(randomBytes(32));
      const r = new Uint8Array(randomBytes(32));
      expect(nodeHash(l, r)).toEqual(shared.nodeHash(l, r));
      expect(nodeHash(l, r)).not.toEqual(nodeHash(r, l));
    }
  });

  it('answers plain Uint8Arrays of 32 bytes', () => {
    const h = leafHash(new Uint8Array([1, 2, 3]));
    expect(h.constructor).toBe(Uint8Array);
    expect(h.byteLength).toBe(32);
  });
});
