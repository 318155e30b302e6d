// SHA-256 for the gateway bundle: node:crypto (OpenSSL) behind @noble/hashes' `sha256` interface. schemas/ hashes
// with @noble/hashes so that it also runs in a browser; in the gateway every read hashes its event (CBV 2.0 event ID),
// and the JS rounds were a quarter of a read's CPU without V8's optimising compiler (build-bundle.ts says why the
// bundle runs without it). Same function, same bytes: test/gateway/gateway-bundle.test.ts compares them.
import { createHash, type Hash } from 'node:crypto';

export interface Sha256Hasher {
  update(data: Uint8Array): Sha256Hasher;
  digest(): Uint8Array;
}

export interface Sha256 {
  (data: Uint8Array): Uint8Array;
  create(): Sha256Hasher;
  readonly outputLen: 32;
  readonly blockLen: 64;
}

function hasher(hash: Hash): Sha256Hasher {
  const h: Sha256Hasher = {
    update(data) {
      hash.update(data);
      return h;
    },
    digest: () => new Uint8Array(hash.digest()),
  };
  return h;
}

export const sha256: Sha256 = Object.assign((data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest()), {
  create: () => hasher(createHash('sha256')),
  outputLen: 32 as const,
  blockLen: 64 as const,
});
