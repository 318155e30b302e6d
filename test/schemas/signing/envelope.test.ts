import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../schemas/signing/canonical-bytes.js';
import { signEd25519 } from '../../../schemas/signing/ed25519.js';
import { decodeUtf8, encodeBase64url } from '../../../schemas/signing/encoding.js';
import {
  envelopeSigningBytes,
  EVENT_SIGNING_CONTEXT,
  parseEnvelope,
  signEnvelope,
  verifyEnvelopeNoble,
  type SignedEnvelope,
} from '../../../schemas/signing/envelope.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import { verifyEd25519Node, verifyEnvelope } from '../../../schemas/signing/verify-envelope.js';
import { verifyEd25519 } from '../../../schemas/signing/ed25519.js';
import { flipByte, utf8 } from './helpers.js';

const event = {
  type: 'ObjectEvent',
  eventTime: '2025-03-01T10:15:00.000Z',
  eventTimeZoneOffset: '+01:00',
  eventID: 'ni:///sha-256;0b1f5a9c3e6d8f7a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a?ver=CBV2.0',
  epcList: ['https://id.gs1.org/01/09506000134352/21/A1b2C3'],
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'in_transit',
  readPoint: { id: 'https://id.gs1.org/414/9506000000001/254/dock-3' },
  bizLocation: { id: 'https://id.gs1.org/414/9506000000001' },
  note: 'Größe 10 µg — ✓',
  quantity: 1.5,
};

const device = generateKeyPair();
const signed = signEnvelope({ v: 1, device: 'gw-acme-dock-3', seq: 1042, event }, device.secretKey);
const wire = JSON.stringify(signed);

function receive(text: string): SignedEnvelope {
  const parsed = parseEnvelope(JSON.parse(text));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** JSON text with every object's keys in reverse order and some whitespace. */
function reordered(value: unknown): string {
  if (Array.isArray(value)) return `[ ${value.map(reordered).join(' , ')} ]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).reverse();
    return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)} : ${reordered(v)}`).join(' ,\n ')} }`;
  }
  return JSON.stringify(value);
}

describe('signing bytes', () => {
  it('are UTF-8("pedigree/event/v1\\n") followed by the JCS of the envelope without sig', () => {
    const bytes = envelopeSigningBytes(signed);
    const text = decodeUtf8(bytes)!;
    expect(text.startsWith(EVENT_SIGNING_CONTEXT)).toBe(true);
    const { sig: _sig, ...unsigned } = signed;
    expect(text.slice(EVENT_SIGNING_CONTEXT.length)).toBe(canonicalJson(unsigned));
    expect(text).not.toContain(signed.sig);
  });

  it('are the same for the envelope before and after signing', () => {
    expect(envelopeSigningBytes({ v: 1, device: 'gw-acme-dock-3', seq: 1042, event })).toEqual(envelopeSigningBytes(signed));
  });
});

describe('when a gateway signs an envelope', () => {
  it('the ledger (node:crypto) and a browser (noble) both verify it after the trip through JSON', () => {
    const received = receive(wire);
    expect(received).toEqual(signed);
    expect(verifyEnvelope(received, device.publicKey)).toEqual({ ok: true, value: true });
    expect(verifyEnvelopeNoble(received, device.publicKey)).toEqual({ ok: true, value: true });
  });

  it('still verifies when the JSON keys of envelope and event are reordered and whitespace added', () => {
    const text = reordered(JSON.parse(wire));
    expect(text).not.toBe(wire);
    const received = receive(text);
    expect(verifyEnvelope(received, device.publicKey).ok).toBe(true);
    expect(verifyEnvelopeNoble(received, device.publicKey).ok).toBe(true);
  });

  it('drops undefined event properties, as JSON.stringify will on the wire', () => {
    const withUndefined = signEnvelope({ v: 1, device: 'gw-1', seq: 0, event: { a: 1, b: undefined } }, device.secretKey);
    expect(withUndefined.event).toEqual({ a: 1 });
    expect(verifyEnvelope(receive(JSON.stringify(withUndefined)), device.publicKey).ok).toBe(true);
  });

  it('covers a "__proto__" key in the event as ordinary data', () => {
    const hostileEvent = JSON.parse('{"__proto__":{"isAdmin":true},"type":"ObjectEvent"}') as object;
    const env = signEnvelope({ v: 1, device: 'gw-1', seq: 3, event: hostileEvent }, device.secretKey);
    const received = receive(JSON.stringify(env));
    expect(Object.keys(received.event)).toEqual(['__proto__', 'type']);
    expect(verifyEnvelope(received, device.publicKey).ok).toBe(true);
    const stripped = receive(JSON.stringify({ ...env, event: { type: 'ObjectEvent' } }));
    expect(verifyEnvelope(stripped, device.publicKey).ok).toBe(false);
  });

  it('refuses to sign what it could not publish', () => {
    expect(() => signEnvelope({ v: 1, device: 'gw/1', seq: 0, event: {} }, device.secretKey)).toThrow(TypeError);
    expect(() => signEnvelope({ v: 1, device: 'gw-1', seq: -1, event: {} }, device.secretKey)).toThrow(TypeError);
    expect(() => signEnvelope({ v: 1, device: 'gw-1', seq: 0, event: { n: Number.NaN } }, device.secretKey)).toThrow(
      TypeError,
    );
    expect(() => signEnvelope({ v: 1, device: 'gw-1', seq: 0, event: [] }, device.secretKey)).toThrow(TypeError);
  });
});

describe('when anything signed is changed', () => {
  const bytes = envelopeSigningBytes(signed);
  const signature = Buffer.from(signed.sig, 'base64url');

  it('flipping any single byte of the signed bytes fails both verifiers', () => {
    for (let i = 0; i < bytes.length; i++) {
      const changed = flipByte(bytes, i);
      expect(verifyEd25519(signature, changed, device.publicKey)).toBe(false);
      expect(verifyEd25519Node(signature, changed, device.publicKey).ok).toBe(false);
    }
  });

  it('flipping any single byte of the signature fails both verifiers', () => {
    for (let i = 0; i < 64; i++) {
      for (const mask of [0x01, 0x80]) {
        const env = { ...signed, sig: encodeBase64url(flipByte(signature, i, mask)) };
        expect(verifyEnvelopeNoble(env, device.publicKey).ok).toBe(false);
        expect(verifyEnvelope(env, device.publicKey).ok).toBe(false);
      }
    }
  });

  it('changing any single byte of the published JSON is refused by parsing or by verification', () => {
    const text = utf8(wire);
    let refusedByParse = 0;
    let refusedBySignature = 0;
    for (let i = 0; i < text.length; i++) {
      for (const mask of [0x01, 0x20]) {
        const decoded = decodeUtf8(flipByte(text, i, mask));
        let json: unknown;
        try {
          json = decoded === undefined ? undefined : JSON.parse(decoded);
        } catch {
          json = undefined;
        }
        const parsed = parseEnvelope(json);
        if (!parsed.ok) {
          refusedByParse++;
          continue;
        }
        const node = verifyEnvelope(parsed.value, device.publicKey);
        const noble = verifyEnvelopeNoble(parsed.value, device.publicKey);
        expect(node.ok).toBe(false);
        expect(noble.ok).toBe(false);
        refusedBySignature++;
      }
    }
    expect(refusedByParse + refusedBySignature).toBe(text.length * 2);
    expect(refusedBySignature).toBeGreaterThan(100);
  });

  it('a signature by another device key is SIGNATURE_INVALID, a bad key is KEY_INVALID', () => {
    const other = generateKeyPair();
    expect(verifyEnvelope(signed, other.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyEnvelopeNoble(signed, other.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyEnvelope(signed, new Uint8Array(32))).toMatchObject({ ok: false, code: 'KEY_INVALID' });
    expect(verifyEnvelopeNoble(signed, new Uint8Array(32))).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });

  it('a signature over the JSON without the domain prefix does not verify', () => {
    const { sig: _sig, ...unsigned } = signed;
    const sig = encodeBase64url(signEd25519(utf8(canonicalJson(unsigned)!), device.secretKey));
    expect(verifyEnvelope({ ...signed, sig }, device.publicKey).ok).toBe(false);
    expect(verifyEnvelopeNoble({ ...signed, sig }, device.publicKey).ok).toBe(false);
  });
});

describe('parseEnvelope refuses with ENVELOPE_INVALID', () => {
  const base = JSON.parse(wire) as Record<string, unknown>;
  const cases: [string, unknown, string?][] = [
    ['version 2', { ...base, v: 2 }, '/v'],
    ['version "1"', { ...base, v: '1' }, '/v'],
    ['a device id starting with "-"', { ...base, device: '-gw' }, '/device'],
    ['a device id with "/"', { ...base, device: 'gw/1' }, '/device'],
    ['a device id with an MQTT wildcard', { ...base, device: 'gw+' }, '/device'],
    ['a device id of 65 characters', { ...base, device: 'a'.repeat(65) }, '/device'],
    ['an empty device id', { ...base, device: '' }, '/device'],
    ['a negative seq', { ...base, seq: -1 }, '/seq'],
    ['a fractional seq', { ...base, seq: 1.5 }, '/seq'],
    ['a seq beyond 2^53 - 1', { ...base, seq: 2 ** 53 }, '/seq'],
    ['a seq given as a string', { ...base, seq: '1042' }, '/seq'],
    ['an event that is an array', { ...base, event: [] }, '/event'],
    ['an event that is null', { ...base, event: null }, '/event'],
    ['an event with a lone surrogate', { ...base, event: JSON.parse('{"s":"\\ud800"}') }, '/event'],
    ['an event nested 100 deep', { ...base, event: JSON.parse('{"a":'.repeat(100) + '1' + '}'.repeat(100)) }, '/event'],
    ['a padded sig', { ...base, sig: `${signed.sig}==` }, '/sig'],
    ['a sig in standard base64', { ...base, sig: Buffer.from(signed.sig, 'base64url').toString('base64') }, '/sig'],
    ['a 63-byte sig', { ...base, sig: encodeBase64url(new Uint8Array(63)) }, '/sig'],
    ['a missing sig', { v: 1, device: 'gw-1', seq: 0, event: {} }, '/sig'],
    ['an unknown key', { ...base, extra: true }],
    ['null', null],
    ['an array', [base]],
    ['a string', wire],
  ];
  it.each(cases)('%s', (_, json, path) => {
    const result = parseEnvelope(json);
    expect(result).toMatchObject({ ok: false, code: 'ENVELOPE_INVALID' });
    if (path !== undefined && !result.ok) expect(result.path).toBe(path);
  });

  it('accepts seq 0 and the longest device id', () => {
    expect(parseEnvelope({ ...base, seq: 0, device: `g${'x'.repeat(63)}` }).ok).toBe(true);
  });
});
