import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isStrictEd25519PublicKey, signEd25519, verifyEd25519 } from '../../../schemas/signing/ed25519.js';
import { encodeBase64url } from '../../../schemas/signing/encoding.js';
import {
  decodePublicKey,
  decodeSecretKey,
  derivePublicKey,
  encodePublicKey,
  encodeSecretKey,
  generateKeyPair,
  keyFingerprint,
} from '../../../schemas/signing/keys.js';
import { hex } from './helpers.js';

describe('key pairs', () => {
  it('generates distinct strict key pairs whose public key derives from the secret key', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.secretKey).toHaveLength(32);
    expect(a.publicKey).toHaveLength(32);
    expect(a.secretKey).not.toEqual(b.secretKey);
    expect(derivePublicKey(a.secretKey)).toEqual(a.publicKey);
    expect(isStrictEd25519PublicKey(a.publicKey)).toBe(true);
    const message = Uint8Array.of(42);
    expect(verifyEd25519(signEd25519(message, a.secretKey), message, a.publicKey)).toBe(true);
  });

  it('derives the RFC 8032 TEST 1 public key', () => {
    expect(derivePublicKey(hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'))).toEqual(
      hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
    );
  });
});

describe('raw key encoding (base64url)', () => {
  it('round-trips public and secret keys', () => {
    const { secretKey, publicKey } = generateKeyPair();
    expect(encodePublicKey(publicKey)).toHaveLength(43);
    expect(decodePublicKey(encodePublicKey(publicKey))).toEqual({ ok: true, value: publicKey });
    expect(decodeSecretKey(encodeSecretKey(secretKey))).toEqual({ ok: true, value: secretKey });
  });

  it.each([
    ['padded base64url', `${encodePublicKey(generateKeyPair().publicKey)}=`],
    ['standard base64', Buffer.from(generateKeyPair().publicKey).toString('base64')],
    ['31 bytes', encodeBase64url(new Uint8Array(31))],
    ['33 bytes', encodeBase64url(new Uint8Array(33))],
    ['the identity point', encodeBase64url(hex('0100000000000000000000000000000000000000000000000000000000000000'))],
    ['a point of order 8', encodeBase64url(hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'))],
    ['not a string', 42],
  ])('refuses a public key that is %s with KEY_INVALID', (_, text) => {
    expect(decodePublicKey(text)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });

  it('refuses a secret key of the wrong length', () => {
    expect(decodeSecretKey(encodeBase64url(new Uint8Array(64)))).toMatchObject({ ok: false, code: 'KEY_INVALID' });
    expect(decodeSecretKey('not base64url!')).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });
});

describe('keyFingerprint', () => {
  it('is the lowercase hex of the first 16 bytes of SHA-256 of the raw key', () => {
    const { publicKey } = generateKeyPair();
    const expected = createHash('sha256').update(publicKey).digest('hex').slice(0, 32);
    expect(keyFingerprint(publicKey)).toBe(expected);
    expect(keyFingerprint(publicKey)).toMatch(/^[0-9a-f]{32}$/);
  });
});
