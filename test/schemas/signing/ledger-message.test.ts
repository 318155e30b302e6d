import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../schemas/signing/canonical-bytes.js';
import { signEd25519 } from '../../../schemas/signing/ed25519.js';
import { decodeUtf8, encodeBase64url } from '../../../schemas/signing/encoding.js';
import { envelopeSigningBytes, signEnvelope } from '../../../schemas/signing/envelope.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import {
  LEDGER_MESSAGE_KINDS,
  LEDGER_SIGNING_CONTEXT,
  ledgerMessageSigningBytes,
  parseLedgerMessage,
  signLedgerMessage,
  verifyLedgerMessage,
  type LedgerMessage,
} from '../../../schemas/signing/ledger-message.js';
import { topics } from '../../../schemas/topics.js';
import { flipByte, utf8 } from './helpers.js';

const ledger = generateKeyPair();
const receiptTopic = topics.deviceReceipts('gw-acme-dock-3');
const receipt = { eventID: 'ni:///sha-256;00?ver=CBV2.0', seq: 1042, status: 'accepted', index: 17 };

function receive(text: string): LedgerMessage {
  const parsed = parseLedgerMessage(JSON.parse(text));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

const bodies: Record<(typeof LEDGER_MESSAGE_KINDS)[number], object> = {
  receipt,
  receipts: { receipts: [receipt, { ...receipt, seq: 1043, index: 18 }, { seq: 1044, status: 'rejected', code: 'SEQ_REUSED' }] },
  alert: { code: 'LOCATION_CONFLICT', severity: 'high', gtin: '09506000134352', serial: 'A1', entries: [3, 9] },
  recall: { id: 'rc-1', class: 'I', scope: { gtin: '09506000134352', lots: ['L1'] }, reason: 'contamination' },
  checkpoint: { note: 'pedigree.example/log\n1\nAAAA\n\n— pedigree.example/log AAAA\n' },
};

describe.each(LEDGER_MESSAGE_KINDS)('a signed %s', (kind) => {
  const topic = kind === 'receipt' || kind === 'receipts' ? receiptTopic : `pedigree/v1/${kind}`;
  const message = signLedgerMessage(kind, bodies[kind], ledger.secretKey, { topic });

  it('verifies at the gateway after the trip through JSON, on its topic', () => {
    const received = receive(JSON.stringify(message));
    expect(received).toEqual(message);
    expect(verifyLedgerMessage(received, ledger.publicKey, { topic })).toEqual({ ok: true, value: true });
  });

  it('is refused on another topic', () => {
    expect(verifyLedgerMessage(message, ledger.publicKey, { topic: `${topic}/x` })).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('is refused with another key', () => {
    expect(verifyLedgerMessage(message, generateKeyPair().publicKey)).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });
});

describe('ledger message contract', () => {
  const message = signLedgerMessage('receipt', receipt, ledger.secretKey, { topic: receiptTopic });

  it('signs UTF-8("pedigree/ledger/v1\\n") ‖ JCS({v, kind, topic, body})', () => {
    const text = decodeUtf8(ledgerMessageSigningBytes(message))!;
    const { sig: _sig, ...unsigned } = message;
    expect(text).toBe(LEDGER_SIGNING_CONTEXT + canonicalJson(unsigned));
  });

  it('blocks replaying device A’s receipt on device B’s receipt topic', () => {
    const otherTopic = topics.deviceReceipts('gw-other');
    expect(verifyLedgerMessage({ ...message, topic: otherTopic }, ledger.publicKey, { topic: otherTopic })).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it('a message signed without a topic verifies without one, but not when the receiver names its topic', () => {
    const unbound = signLedgerMessage('receipt', receipt, ledger.secretKey);
    expect(unbound.topic).toBeUndefined();
    expect(verifyLedgerMessage(receive(JSON.stringify(unbound)), ledger.publicKey).ok).toBe(true);
    expect(verifyLedgerMessage(unbound, ledger.publicKey, { topic: receiptTopic })).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('changing any byte of the published JSON is refused by parsing or verification', () => {
    const text = utf8(JSON.stringify(message));
    for (let i = 0; i < text.length; i++) {
      const decoded = decodeUtf8(flipByte(text, i));
      let json: unknown;
      try {
        json = decoded === undefined ? undefined : JSON.parse(decoded);
      } catch {
        continue;
      }
      const parsed = parseLedgerMessage(json);
      if (parsed.ok) expect(verifyLedgerMessage(parsed.value, ledger.publicKey).ok).toBe(false);
    }
  });

  it('an envelope signature by the same key is never a valid ledger message (domain separation)', () => {
    const env = signEnvelope({ v: 1, device: 'gw-1', seq: 1, event: { a: 1 } }, ledger.secretKey);
    const forged = { v: 1 as const, kind: 'alert' as const, body: env.event, sig: env.sig };
    expect(verifyLedgerMessage(forged, ledger.publicKey).ok).toBe(false);
    expect(decodeUtf8(envelopeSigningBytes(env))!.startsWith(LEDGER_SIGNING_CONTEXT)).toBe(false);
    const bare = encodeBase64url(signEd25519(utf8(canonicalJson({ v: 1, kind: 'alert', body: { a: 1 } })!), ledger.secretKey));
    expect(verifyLedgerMessage({ ...forged, sig: bare }, ledger.publicKey).ok).toBe(false);
  });

  it.each([
    ['an unknown kind', { ...message, kind: 'order' }, '/kind'],
    ['a receipt body with an unknown status', { ...message, body: { ...receipt, status: 'ok' } }, '/body'],
    ['a receipt body with an extra field', { ...message, body: { ...receipt, device: 'gw-1' } }, '/body'],
    ['a checkpoint body without a note', { ...message, kind: 'checkpoint', body: {} }, '/body'],
    ['a topic with a wildcard', { ...message, topic: 'pedigree/v1/#' }, '/topic'],
    ['an empty topic', { ...message, topic: '' }, '/topic'],
    ['an array body', { ...message, body: [] }, '/body'],
    ['version 2', { ...message, v: 2 }, '/v'],
    ['an unknown field', { ...message, at: 1 }, undefined],
    ['a padded sig', { ...message, sig: `${message.sig}==` }, '/sig'],
    ['null', null, undefined],
  ])('parseLedgerMessage refuses %s with LEDGER_MESSAGE_INVALID', (_, json, path) => {
    const result = parseLedgerMessage(json);
    expect(result).toMatchObject({ ok: false, code: 'LEDGER_MESSAGE_INVALID' });
    if (path !== undefined && !result.ok) expect(result.path).toBe(path);
  });

  it('refuses to sign a body that does not fit its kind', () => {
    expect(() => signLedgerMessage('receipt', { seq: -1, status: 'accepted' }, ledger.secretKey)).toThrow(TypeError);
    expect(() => signLedgerMessage('alert', { n: Number.NaN }, ledger.secretKey)).toThrow(TypeError);
    expect(() => signLedgerMessage('alert', 'text', ledger.secretKey)).toThrow(TypeError);
    expect(() => signLedgerMessage('alert', {}, ledger.secretKey, { topic: 'a/+/b' })).toThrow(TypeError);
  });

  it('drops undefined body fields (an optional receipt code) as JSON.stringify would', () => {
    const m = signLedgerMessage('receipt', { ...receipt, code: undefined }, ledger.secretKey, { topic: receiptTopic });
    expect('code' in m.body).toBe(false);
    expect(verifyLedgerMessage(receive(JSON.stringify(m)), ledger.publicKey, { topic: receiptTopic }).ok).toBe(true);
  });
});
