import { describe, expect, it } from 'vitest';
import { createEnvelopeSigner } from '../../gateway/envelope-signer.js';
import { buildDispensingEvent } from '../../schemas/epcis/build-object-events.js';
import { parseEnvelope, signEnvelope, verifyEnvelopeNoble } from '../../schemas/signing/envelope.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { canonicalJson } from '../../schemas/signing/canonical-bytes.js';

const built = buildDispensingEvent({
  eventTime: '2026-03-01T10:00:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  readPoint: { gln: '4012345000009', extension: 'c1' },
  units: [{ gtin: '09506000134352', serial: 'a%2F/1' }],
});
if (!built.ok) throw new Error(built.message);
const event = built.value;

describe('the gateway envelope signer', () => {
  it('produces exactly the envelope schemas/signing signEnvelope (noble) produces', () => {
    const keys = generateKeyPair();
    for (const seq of [0, 1, 1042, 2 ** 40]) {
      const fast = createEnvelopeSigner({ device: 'gw-1', secretKey: keys.secretKey }).sign(seq, event);
      const noble = signEnvelope({ v: 1, device: 'gw-1', seq, event }, keys.secretKey);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(noble));
    }
  });

  it('signs envelopes that parse and verify as the ledger and browsers do', () => {
    const keys = generateKeyPair();
    const signed = createEnvelopeSigner({ device: 'gw-1', secretKey: keys.secretKey }).sign(7, event);
    const parsed = parseEnvelope(JSON.parse(JSON.stringify(signed)));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(verifyEnvelopeNoble(parsed.value, keys.publicKey).ok).toBe(true);
  });

  it('publishes the canonical (RFC 8785) text of the signed envelope, with either engine', () => {
    const keys = generateKeyPair();
    for (const engine of ['node', 'noble'] as const) {
      const signer = createEnvelopeSigner({ device: 'gw-1', secretKey: keys.secretKey, engine });
      const text = signer.signText(12, event);
      expect(text).toBe(canonicalJson(signer.sign(12, event)));
      expect(Object.keys(JSON.parse(text))).toEqual(['device', 'event', 'seq', 'sig', 'v']);
      const parsed = parseEnvelope(JSON.parse(text));
      expect(parsed.ok && verifyEnvelopeNoble(parsed.value, keys.publicKey).ok).toBe(true);
    }
  });

  it('can sign with noble too', () => {
    const keys = generateKeyPair();
    const a = createEnvelopeSigner({ device: 'gw-1', secretKey: keys.secretKey, engine: 'noble' }).sign(3, event);
    const b = createEnvelopeSigner({ device: 'gw-1', secretKey: keys.secretKey }).sign(3, event);
    expect(a.sig).toBe(b.sig);
  });

  it('refuses a bad device id, a bad seq and a non-JSON event', () => {
    const keys = generateKeyPair();
    expect(() => createEnvelopeSigner({ device: 'gw/1', secretKey: keys.secretKey })).toThrow(TypeError);
    const signer = createEnvelopeSigner({ device: 'gw-1', secretKey: keys.secretKey });
    expect(() => signer.sign(-1, event)).toThrow(TypeError);
    expect(() => signer.sign(1, { n: Number.NaN })).toThrow(TypeError);
  });
});
