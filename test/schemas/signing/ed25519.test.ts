import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it, vi } from 'vitest';
import {
  checkEd25519,
  deriveEd25519PublicKey,
  isStrictEd25519PublicKey,
  signEd25519,
  verifyEd25519,
} from '../../../schemas/signing/ed25519.js';
import { encodeBase64url } from '../../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import {
  ed25519Backend,
  ed25519Backends,
  hasCanonicalScalar,
  importEd25519PublicKey,
  verifyEd25519Node as verifyWith,
} from '../../../schemas/signing/verify-envelope.js';
import { flipByte, hex, readVector } from './helpers.js';

interface Rfc8032Vector {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}
interface SpeccheckCase {
  case: number;
  what: string;
  message: string;
  publicKey: string;
  signature: string;
  nobleZip215False: boolean;
  openssl: boolean;
  pedigree: boolean;
}

const rfc8032 = readVector<{ vectors: Rfc8032Vector[] }>('rfc8032-ed25519.json').vectors;
const speccheck = readVector<{ cases: SpeccheckCase[] }>('ed25519-speccheck.json').cases;

function nodePrivateKey(secretKey: Uint8Array) {
  const publicKey = deriveEd25519PublicKey(secretKey);
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: encodeBase64url(secretKey), x: encodeBase64url(publicKey) },
    format: 'jwk',
  });
}

function rawOpenSslVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(publicKey) }, format: 'jwk' });
  return verify(null, message, key, signature);
}

/** verifyEd25519Node through every native backend (libsodium and node:crypto): they must agree on every input. */
function verifyEd25519Node(...args: Parameters<typeof verifyWith>) {
  const [first, ...rest] = ed25519Backends().map((b) => verifyWith(args[0], args[1], args[2], b));
  for (const r of rest) expect(r).toEqual(first);
  return first!;
}

describe('native backends', () => {
  it('verifies with libsodium on this platform, and node:crypto stays available beside it', () => {
    // sodium-native ships prebuilt addons for Linux, macOS and Windows on x64 and arm64: a fallback here means a
    // broken install, and the ledger would verify at half the speed.
    expect(ed25519Backend()).toBe('libsodium');
    expect(ed25519Backends()).toEqual(['libsodium', 'node:crypto']);
  });

  it('PEDIGREE_ED25519=node:crypto keeps libsodium out', async () => {
    vi.stubEnv('PEDIGREE_ED25519', 'node:crypto');
    vi.resetModules();
    try {
      const fresh = await import('../../../schemas/signing/verify-envelope.js');
      expect(fresh.ed25519Backend()).toBe('node:crypto');
      expect(fresh.ed25519Backends()).toEqual(['node:crypto']);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

/** L, the prime order of the base point. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function scalarToBytes(s: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((s >> BigInt(8 * i)) & 0xffn);
  return out;
}
function bytesToScalar(bytes: Uint8Array): bigint {
  let s = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) s = (s << 8n) | BigInt(bytes[i]!);
  return s;
}

describe('RFC 8032 §7.1 test vectors', () => {
  describe.each(rfc8032)('$name', (v) => {
    const secretKey = hex(v.secretKey);
    const publicKey = hex(v.publicKey);
    const message = hex(v.message);
    const signature = hex(v.signature);

    it('derives the public key and the signature with noble', () => {
      expect(deriveEd25519PublicKey(secretKey)).toEqual(publicKey);
      expect(signEd25519(message, secretKey)).toEqual(signature);
    });

    it('derives the public key and the signature with node:crypto', () => {
      const privateKey = nodePrivateKey(secretKey);
      expect(new Uint8Array(sign(null, message, privateKey))).toEqual(signature);
      const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
      expect(x).toBe(encodeBase64url(publicKey));
    });

    it('verifies with both strict verifiers, and refuses it for another message', () => {
      expect(checkEd25519(signature, message, publicKey)).toBeUndefined();
      expect(verifyEd25519Node(signature, message, publicKey)).toEqual({ ok: true, value: true });
      const other = Uint8Array.of(...message, 0);
      expect(verifyEd25519(signature, other, publicKey)).toBe(false);
      expect(verifyEd25519Node(signature, other, publicKey).ok).toBe(false);
    });
  });
});

describe('noble and node:crypto agree', () => {
  it('on 1,000 random keys and messages, valid and tampered', () => {
    for (let i = 0; i < 1000; i++) {
      const { secretKey, publicKey } = generateKeyPair();
      const message = new Uint8Array(randomBytes(i % 97));
      const signature = signEd25519(message, secretKey);
      expect(new Uint8Array(sign(null, message, nodePrivateKey(secretKey)))).toEqual(signature);
      expect(verifyEd25519(signature, message, publicKey)).toBe(true);
      expect(verifyEd25519Node(signature, message, publicKey).ok).toBe(true);
      // Tamper with one random bit of the signature or the message.
      const inSignature = message.length === 0 || i % 2 === 0;
      const target = inSignature ? signature : message;
      const bit = i % (target.length * 8);
      const tampered = flipByte(target, bit >> 3, 1 << (bit & 7));
      const [sig2, msg2] = inSignature ? [tampered, message] : [signature, tampered];
      const noble = verifyEd25519(sig2, msg2, publicKey);
      const node = verifyEd25519Node(sig2, msg2, publicKey).ok;
      expect(noble).toBe(false);
      expect(node).toBe(noble);
    }
  });
});

describe('ed25519-speccheck edge cases (raw libraries versus our strict verifiers)', () => {
  describe.each(speccheck)('case $case: $what', (c) => {
    const message = hex(c.message);
    const publicKey = hex(c.publicKey);
    const signature = hex(c.signature);

    it(`raw noble zip215:false says ${c.nobleZip215False}, raw OpenSSL says ${c.openssl}`, () => {
      expect(ed25519.verify(signature, message, publicKey, { zip215: false })).toBe(c.nobleZip215False);
      expect(rawOpenSslVerify(signature, message, publicKey)).toBe(c.openssl);
    });

    it('both of our verifiers refuse it', () => {
      expect(verifyEd25519(signature, message, publicKey)).toBe(c.pedigree);
      expect(verifyEd25519Node(signature, message, publicKey).ok).toBe(c.pedigree);
    });
  });

  it('documents where raw OpenSSL and raw noble disagree: cases 0, 1, 11 (OpenSSL only) and 4, 5 (noble only)', () => {
    const disagree = speccheck.filter((c) => c.nobleZip215False !== c.openssl).map((c) => c.case);
    expect(disagree).toEqual([0, 1, 4, 5, 11]);
  });
});

describe('strict public keys', () => {
  const identity = hex('0100000000000000000000000000000000000000000000000000000000000000');
  const torsion = hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'); // order 8
  const nonCanonicalIdentity = hex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'); // y = p + 1

  it('accepts generated keys', () => {
    for (let i = 0; i < 20; i++) expect(isStrictEd25519PublicKey(generateKeyPair().publicKey)).toBe(true);
  });

  it.each([
    ['the identity', identity],
    ['a point of order 8', torsion],
    ['a non-canonical encoding (y ≥ p)', nonCanonicalIdentity],
    ['a mixed-order point', hex(speccheck[3]!.publicKey)],
    ['bytes that are not a point', hex('0200000000000000000000000000000000000000000000000000000000000000')],
    ['31 bytes', new Uint8Array(31)],
  ])('refuses %s, in noble and in node:crypto', (_, key) => {
    expect(isStrictEd25519PublicKey(key)).toBe(false);
    expect(checkEd25519(new Uint8Array(64), new Uint8Array(0), key)).toBe('KEY_INVALID');
    expect(importEd25519PublicKey(key).ok).toBe(false);
    expect(verifyEd25519Node(new Uint8Array(64), new Uint8Array(0), key)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });

  it('refuses a mixed-order key even when OpenSSL would accept its signature (case 3)', () => {
    const c = speccheck[3]!;
    expect(rawOpenSslVerify(hex(c.signature), hex(c.message), hex(c.publicKey))).toBe(true);
    expect(verifyEd25519Node(hex(c.signature), hex(c.message), hex(c.publicKey))).toMatchObject({ code: 'KEY_INVALID' });
  });

  it('refuses non-Ed25519, private and non-strict KeyObjects', () => {
    const { publicKey: x25519 } = generateKeyPairSync('x25519');
    const { privateKey } = generateKeyPairSync('ed25519');
    const smallOrder = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(torsion) }, format: 'jwk' });
    for (const key of [x25519, privateKey, smallOrder]) {
      expect(verifyEd25519Node(new Uint8Array(64), new Uint8Array(0), key)).toMatchObject({ code: 'KEY_INVALID' });
    }
  });

  it('accepts a strict KeyObject made elsewhere', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const message = Uint8Array.of(1, 2, 3);
    const signature = new Uint8Array(sign(null, message, privateKey));
    expect(verifyEd25519Node(signature, message, publicKey).ok).toBe(true);
  });
});

describe('malleated signatures (S + L)', () => {
  it('are refused by both verifiers, and by raw OpenSSL', () => {
    const { secretKey, publicKey } = generateKeyPair();
    const message = Uint8Array.of(7);
    const signature = signEd25519(message, secretKey);
    const s = bytesToScalar(signature.subarray(32));
    const malleated = Uint8Array.of(...signature.subarray(0, 32), ...scalarToBytes(s + L));
    expect(hasCanonicalScalar(signature)).toBe(true);
    expect(hasCanonicalScalar(malleated)).toBe(false);
    expect(verifyEd25519(malleated, message, publicKey)).toBe(false);
    expect(verifyEd25519Node(malleated, message, publicKey)).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(rawOpenSslVerify(malleated, message, publicKey)).toBe(false);
  });

  it('hasCanonicalScalar draws the line exactly at L', () => {
    const sig = (s: bigint) => Uint8Array.of(...new Uint8Array(32), ...scalarToBytes(s));
    expect(hasCanonicalScalar(sig(L - 1n))).toBe(true);
    expect(hasCanonicalScalar(sig(L))).toBe(false);
    expect(hasCanonicalScalar(sig(0n))).toBe(true);
  });
});

describe('hostile arguments', () => {
  it('never throw', () => {
    const { publicKey } = generateKeyPair();
    const junk: unknown[] = [undefined, null, 'sig', 42, {}, new Uint8Array(63), new Uint8Array(65), new Uint16Array(32)];
    for (const value of junk) {
      expect(verifyEd25519(value, new Uint8Array(1), publicKey)).toBe(false);
      expect(verifyEd25519(new Uint8Array(64), new Uint8Array(1), value)).toBe(false);
      expect(verifyEd25519Node(value as Uint8Array, new Uint8Array(1), publicKey).ok).toBe(false);
      expect(verifyEd25519(new Uint8Array(64), value as Uint8Array, publicKey)).toBe(false);
      expect(verifyEd25519Node(new Uint8Array(64), value as Uint8Array, publicKey).ok).toBe(false);
    }
  });

  it('signing with a wrong-length secret key is a programming error', () => {
    expect(() => signEd25519(new Uint8Array(1), new Uint8Array(31))).toThrow(TypeError);
    expect(() => deriveEd25519PublicKey(new Uint8Array(64))).toThrow(TypeError);
  });
});

describe('the one divergence left between the two strict verifiers', () => {
  it('a signature whose R has a small-order component passes noble (cofactored) and fails node:crypto', () => {
    const { secretKey, publicKey } = generateKeyPair();
    const { scalar: a } = ed25519.utils.getExtendedPublicKey(secretKey);
    const message = Uint8Array.of(1, 2, 3);
    const T = ed25519.Point.fromBytes(hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'));
    const r = 123456789n;
    const R = ed25519.Point.BASE.multiply(r).add(T).toBytes(); // R' = rB + T: only the key holder can do this
    const k = bytesToScalar(sha512(Uint8Array.of(...R, ...publicKey, ...message))) % L;
    const S = (r + k * a) % L;
    const signature = Uint8Array.of(...R, ...scalarToBytes(S));
    expect(verifyEd25519(signature, message, publicKey)).toBe(true);
    expect(verifyEd25519Node(signature, message, publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });
});
