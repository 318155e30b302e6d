// Device messages (schemas/signing/device-message.ts): a gateway's recall acknowledgement, signed with its device key
// for its own topic, verifies once and only there; noble and node:crypto agree on the same bytes.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../schemas/signing/canonical-bytes.js';
import {
  DEVICE_SIGNING_CONTEXT,
  deviceMessageSigningBytes,
  parseDeviceMessage,
  signDeviceMessage,
  verifyDeviceMessage,
  type DeviceMessage,
} from '../../../schemas/signing/device-message.js';
import { decodeBase64url, decodeUtf8 } from '../../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import { signLedgerMessage } from '../../../schemas/signing/ledger-message.js';
import { verifyEd25519Node } from '../../../schemas/signing/verify-envelope.js';
import { topics } from '../../../schemas/topics.js';

const device = generateKeyPair();
const topic = topics.deviceRecallAcks('gw-pharmacy-1');
const body = { recallId: 'rcl-0123456789abcdef', ackedAt: '2026-11-24T08:00:00.000Z' };

function receive(text: string): DeviceMessage {
  const parsed = parseDeviceMessage(JSON.parse(text));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

describe('a signed recall acknowledgement', () => {
  const message = signDeviceMessage('recall-ack', body, device.secretKey, topic);

  it('signs pedigree/device/v1 + JCS of {v, kind, topic, body}', () => {
    const bytes = deviceMessageSigningBytes(message);
    expect(decodeUtf8(bytes)).toBe(`${DEVICE_SIGNING_CONTEXT}${canonicalJson({ v: 1, kind: 'recall-ack', topic, body })}`);
  });

  it('verifies after a JSON round trip, with noble and with node:crypto alike', () => {
    const received = receive(JSON.stringify(message));
    expect(verifyDeviceMessage(received, device.publicKey, topic)).toEqual({ ok: true, value: true });
    expect(verifyEd25519Node(decodeBase64url(received.sig)!, deviceMessageSigningBytes(received), device.publicKey).ok).toBe(true);
  });

  it('does not verify on another device’s topic, with another key, or with a changed body', () => {
    expect(verifyDeviceMessage(message, device.publicKey, topics.deviceRecallAcks('gw-pharmacy-2'))).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyDeviceMessage(message, generateKeyPair().publicKey, topic)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    const changed = receive(JSON.stringify({ ...message, body: { ...body, recallId: 'rcl-fedcba9876543210' } }));
    expect(verifyDeviceMessage(changed, device.publicKey, topic)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    const moved = receive(JSON.stringify({ ...message, topic: topics.deviceRecallAcks('gw-pharmacy-2') }));
    expect(verifyDeviceMessage(moved, device.publicKey, moved.topic)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('is never confused with a ledger message signed by the same key (distinct context)', () => {
    const ledgerSigned = signLedgerMessage('alert', body, device.secretKey, { topic });
    const asDevice = receive(JSON.stringify({ ...ledgerSigned, kind: 'recall-ack' }));
    expect(verifyDeviceMessage(asDevice, device.publicKey, topic).ok).toBe(false);
  });
});

describe('parsing a device message (attacker-controlled)', () => {
  const good = signDeviceMessage('recall-ack', body, device.secretKey, topic);
  it.each([
    ['not an object', 'x'],
    ['an unknown kind', { ...good, kind: 'recall-nack' }],
    ['no topic', { ...good, topic: undefined }],
    ['a wildcard topic', { ...good, topic: 'pedigree/v1/devices/+/recall-acks' }],
    ['an extra field the signature would not cover', { ...good, note: 'hi' }],
    ['a recall id the ledger never generates', { ...good, body: { ...body, recallId: 'R-1' } }],
    ['a time that is not RFC 3339 UTC', { ...good, body: { ...body, ackedAt: 'yesterday' } }],
    ['an extra body field', { ...good, body: { ...body, site: '9521234500001' } }],
    ['a short signature', { ...good, sig: 'AAAA' }],
  ])('refuses %s with DEVICE_MESSAGE_INVALID', (_name, json) => {
    expect(parseDeviceMessage(json)).toMatchObject({ ok: false, code: 'DEVICE_MESSAGE_INVALID' });
  });

  it('refuses to sign an acknowledgement with a malformed body', () => {
    expect(() => signDeviceMessage('recall-ack', { recallId: 'x' }, device.secretKey, topic)).toThrow(TypeError);
  });
});
