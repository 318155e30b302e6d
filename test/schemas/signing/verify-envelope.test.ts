import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signEnvelope } from '../../../schemas/signing/envelope.js';
import { encodeBase64url } from '../../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import { Ed25519KeyCache, importEd25519PublicKey, verifyEnvelope } from '../../../schemas/signing/verify-envelope.js';
import { hex } from './helpers.js';

describe('Ed25519KeyCache', () => {
  it('imports a device key once and returns the same KeyObject afterwards', () => {
    const cache = new Ed25519KeyCache();
    const { publicKey } = generateKeyPair();
    const first = cache.get(publicKey);
    const second = cache.get(publicKey.slice());
    expect(first.ok && second.ok && first.value === second.value).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('drops the least recently used key beyond maxEntries', () => {
    const cache = new Ed25519KeyCache({ maxEntries: 2 });
    const [a, b, c] = [generateKeyPair(), generateKeyPair(), generateKeyPair()].map((k) => k.publicKey) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    const keyA = cache.get(a);
    cache.get(b);
    cache.get(a); // a is now the most recent
    cache.get(c); // evicts b
    expect(cache.size).toBe(2);
    const againA = cache.get(a);
    expect(keyA.ok && againA.ok && keyA.value === againA.value).toBe(true);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('refuses and does not cache keys that are not strict', () => {
    const cache = new Ed25519KeyCache();
    const torsion = hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
    expect(cache.get(torsion)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
    expect(cache.get(new Uint8Array(31))).toMatchObject({ ok: false, code: 'KEY_INVALID' });
    expect(cache.get('key' as unknown as Uint8Array)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
    expect(cache.size).toBe(0);
  });

  it('refuses a nonsensical size', () => {
    expect(() => new Ed25519KeyCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});

describe('verifyEnvelope with a cached KeyObject', () => {
  it('verifies as with the raw key', () => {
    const device = generateKeyPair();
    const env = signEnvelope({ v: 1, device: 'gw-1', seq: 9, event: { type: 'ObjectEvent' } }, device.secretKey);
    const key = new Ed25519KeyCache().get(device.publicKey);
    expect(key.ok).toBe(true);
    if (!key.ok) return;
    expect(verifyEnvelope(env, key.value)).toEqual({ ok: true, value: true });
    expect(verifyEnvelope({ ...env, seq: 10 }, key.value)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyEnvelope({ ...env, sig: encodeBase64url(new Uint8Array(63)) }, key.value)).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it('imports keys as JWK OKP/Ed25519', () => {
    const { publicKey } = generateKeyPair();
    const key = importEd25519PublicKey(publicKey);
    expect(key.ok && key.value.asymmetricKeyType).toBe('ed25519');
    expect(key.ok && key.value.export({ format: 'jwk' })).toEqual({ kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(publicKey) });
  });
});

describe('browser safety', () => {
  const dir = fileURLToPath(new URL('../../../schemas/signing/', import.meta.url));
  const browserFiles = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'verify-envelope.ts');

  it.each(browserFiles)('%s imports no node: module and uses no Buffer or process', (file) => {
    const source = readFileSync(dir + file, 'utf8');
    expect(source).not.toMatch(/from\s+['"]node:/);
    expect(source).not.toMatch(/\bBuffer\b/);
    expect(source).not.toMatch(/\bprocess\./);
    expect(source).not.toMatch(/from\s+['"]\.\/verify-envelope/);
  });
});
