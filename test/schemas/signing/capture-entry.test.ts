import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../schemas/signing/canonical-bytes.js';
import {
  CAPTURE_SIGNING_CONTEXT,
  captureEntrySigningBytes,
  draftCaptureEntry,
  parseCaptureEntry,
  signCaptureEntry,
  verifyCaptureEntry,
} from '../../../schemas/signing/capture-entry.js';
import { LEDGER_SIGNING_CONTEXT } from '../../../schemas/signing/ledger-message.js';
import { EVENT_SIGNING_CONTEXT } from '../../../schemas/signing/envelope.js';
import { decodeUtf8 } from '../../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';

const ledger = generateKeyPair();
const context = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: 'https://ns.example.com/epcis/' }];
const event = {
  type: 'ObjectEvent',
  eventTime: '2026-11-01T09:00:00.000Z',
  eventTimeZoneOffset: '+00:00',
  epcList: ['urn:epc:id:sgtin:952000.1012345.1'],
  action: 'OBSERVE',
  'example:note': 'kept exactly',
};
const draft = draftCaptureEntry({ party: '9520001000001', captureID: 'job-1', context, event });

describe('a ledger-signed capture entry', () => {
  it('signs UTF-8("pedigree/capture/v1\\n") ‖ JCS of everything but sig, a prefix no other signed message uses', () => {
    const bytes = captureEntrySigningBytes(draft);
    expect(decodeUtf8(bytes)).toBe(`${CAPTURE_SIGNING_CONTEXT}${canonicalJson({ v: 1, party: '9520001000001', captureID: 'job-1', context, event })}`);
    expect(new Set([CAPTURE_SIGNING_CONTEXT, LEDGER_SIGNING_CONTEXT, EVENT_SIGNING_CONTEXT]).size).toBe(3);
  });

  it('verifies with the ledger key after the trip through JSON, whatever the key order', () => {
    const signed = signCaptureEntry(draft, ledger.secretKey);
    const reordered = JSON.parse(JSON.stringify({ sig: signed.sig, event: signed.event, context: signed.context, captureID: signed.captureID, party: signed.party, v: 1 }));
    const parsed = parseCaptureEntry(reordered);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(verifyCaptureEntry(parsed.value, ledger.publicKey).ok).toBe(true);
  });

  it.each([
    ['another party', { party: '9520001000018' }],
    ['another capture job', { captureID: 'job-2' }],
    ['another @context', { context: ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'] }],
    ['another event', { event: { ...event, action: 'ADD' } }],
  ])('does not verify once it names %s', (_what, change) => {
    const signed = signCaptureEntry(draft, ledger.secretKey);
    const r = verifyCaptureEntry({ ...signed, ...change }, ledger.publicKey);
    expect(r.ok ? 'verified' : r.code).toBe('SIGNATURE_INVALID');
  });

  it('does not verify with another key', () => {
    expect(verifyCaptureEntry(signCaptureEntry(draft, ledger.secretKey), generateKeyPair().publicKey).ok).toBe(false);
  });

  it('refuses unknown fields (the signature would not cover them) and malformed ids', () => {
    const signed = signCaptureEntry(draft, ledger.secretKey);
    expect(parseCaptureEntry({ ...signed, device: 'gw-1' }).ok).toBe(false);
    expect(parseCaptureEntry({ ...signed, party: 'acme' }).ok).toBe(false);
    expect(parseCaptureEntry({ ...signed, captureID: 'a b' }).ok).toBe(false);
    expect(() => draftCaptureEntry({ party: '9520001000001', captureID: 'job-1', event: [] })).toThrow(TypeError);
  });
});
