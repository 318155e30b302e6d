import { describe, expect, it } from 'vitest';
import { ledgerTrustFromVkey, readLedgerMessage, type LedgerTrust } from '../../gateway/ledger-messages.js';
import { createLedgerMessageVerifier } from '../../gateway/verify-ledger-message.js';
import { signCheckpoint } from '../../schemas/signing/checkpoint.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { signLedgerMessage, verifyLedgerMessage, type LedgerMessage } from '../../schemas/signing/ledger-message.js';
import { ed25519NoteSigner, formatVkey, SIGNATURE_TYPE_ED25519 } from '../../schemas/signing/signed-note.js';
import { topics } from '../../schemas/topics.js';

const ORIGIN = 'pedigree.test/ledger';
const ledger = generateKeyPair();
const trust: LedgerTrust = (() => {
  const t = ledgerTrustFromVkey(formatVkey({ name: ORIGIN, type: SIGNATURE_TYPE_ED25519, publicKey: ledger.publicKey }));
  if (!t.ok) throw new Error(t.message);
  return t.value;
})();
const opts = { trust, device: 'gw-a', siteGln: '4012345000009' };
const bytes = (m: unknown) => Buffer.from(JSON.stringify(m));
const receiptTopic = topics.deviceReceipts('gw-a');
const receipt = { seq: 5, status: 'accepted', eventID: 'ni:///sha-256;ab?ver=CBV2.0', index: 9 };

describe('reading what the ledger publishes', () => {
  it('accepts a receipt the ledger signed for this device', () => {
    const m = signLedgerMessage('receipt', receipt, ledger.secretKey, { topic: receiptTopic });
    expect(readLedgerMessage(receiptTopic, bytes(m), opts)).toEqual({ ok: true, value: { kind: 'receipts', receipts: [receipt] } });
  });

  it('accepts a batch of receipts the ledger signed for this device, in order', () => {
    const batch = [receipt, { ...receipt, seq: 6, index: 10 }, { seq: 7, status: 'rejected', code: 'SEQ_REUSED' }];
    const m = signLedgerMessage('receipts', { receipts: batch }, ledger.secretKey, { topic: receiptTopic });
    expect(readLedgerMessage(receiptTopic, bytes(m), opts)).toEqual({ ok: true, value: { kind: 'receipts', receipts: batch } });
  });

  it('refuses a batch with one receipt changed after signing', () => {
    const batch = [receipt, { ...receipt, seq: 6, index: 10 }];
    const m = signLedgerMessage('receipts', { receipts: batch }, ledger.secretKey, { topic: receiptTopic });
    const tampered = { ...m, body: { receipts: [receipt, { ...receipt, seq: 6, index: 11 }] } };
    expect(readLedgerMessage(receiptTopic, bytes(tampered), opts)).toMatchObject({ ok: false, code: 'FORGED' });
  });

  describe('refuses forgeries', () => {
    it('a receipt signed by another key', () => {
      const m = signLedgerMessage('receipt', receipt, generateKeyPair().secretKey, { topic: receiptTopic });
      expect(readLedgerMessage(receiptTopic, bytes(m), opts)).toMatchObject({ ok: false, code: 'FORGED' });
    });

    it("another device's receipt replayed on this device's topic", () => {
      const m = signLedgerMessage('receipt', receipt, ledger.secretKey, { topic: topics.deviceReceipts('gw-b') });
      expect(readLedgerMessage(receiptTopic, bytes(m), opts)).toMatchObject({ ok: false, code: 'FORGED' });
    });

    it('a receipt whose body was changed', () => {
      const m = signLedgerMessage('receipt', receipt, ledger.secretKey, { topic: receiptTopic });
      expect(readLedgerMessage(receiptTopic, bytes({ ...m, body: { ...receipt, seq: 6 } }), opts)).toMatchObject({ ok: false, code: 'FORGED' });
    });

    it('an alert presented as a receipt, garbage, and an unsigned checkpoint', () => {
      const alert = signLedgerMessage('alert', { id: 'a1', code: 'UNKNOWN_SERIAL' }, ledger.secretKey, { topic: receiptTopic });
      expect(readLedgerMessage(receiptTopic, bytes(alert), opts)).toMatchObject({ ok: false, code: 'FORGED' });
      expect(readLedgerMessage(receiptTopic, Buffer.from('{nope'), opts)).toMatchObject({ ok: false, code: 'MALFORMED' });
      expect(readLedgerMessage(topics.checkpoint, Buffer.from(`${ORIGIN}\n1\n${Buffer.alloc(32).toString('base64')}\n`), opts)).toMatchObject({ ok: false, code: 'FORGED' });
    });
  });

  it('reads a signed recall notice, and treats an empty retained payload as unsigned news', () => {
    const topic = topics.recall('R-1');
    const notice = { id: 'R-1', scope: { gtin: '09506000134352', lots: ['L1'] }, class: 'I', reason: 'sterility', issuedAt: '2026-03-01T00:00:00Z', extra: 1 };
    const m = signLedgerMessage('recall', notice, ledger.secretKey, { topic });
    expect(readLedgerMessage(topic, bytes(m), opts)).toMatchObject({ ok: true, value: { kind: 'recall', recallId: 'R-1', notice: { scope: { lots: ['L1'] } } } });
    expect(readLedgerMessage(topic, Buffer.alloc(0), opts)).toEqual({ ok: true, value: { kind: 'recall-cleared', recallId: 'R-1' } });
    const moved = signLedgerMessage('recall', { ...notice, id: 'R-2' }, ledger.secretKey, { topic });
    expect(readLedgerMessage(topic, bytes(moved), opts)).toMatchObject({ ok: false, code: 'MALFORMED' });
  });

  it("reads a signed alert for this site, and ignores other sites' topics", () => {
    const topic = topics.siteAlerts('4012345000009');
    const m = signLedgerMessage('alert', { id: 7, code: 'LOCATION_CONFLICT', severity: 'high', unit: 'https://id.gs1.org/01/09506000134352/21/S1' }, ledger.secretKey, { topic });
    expect(readLedgerMessage(topic, bytes(m), opts)).toMatchObject({ ok: true, value: { kind: 'alert', alert: { id: 7 } } });
    expect(readLedgerMessage(topics.siteAlerts('4098765000003'), bytes(m), opts)).toMatchObject({ ok: false, code: 'UNEXPECTED_TOPIC' });
  });

  it('opens a checkpoint signed by the ledger key', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 42, rootHash: new Uint8Array(32).fill(7), extensions: [] }, [ed25519NoteSigner({ name: ORIGIN, secretKey: ledger.secretKey })]);
    expect(readLedgerMessage(topics.checkpoint, Buffer.from(note), opts)).toMatchObject({ ok: true, value: { kind: 'checkpoint', size: 42 } });
  });
});

describe('the node:crypto ledger message verifier', () => {
  it('agrees with schemas/signing verifyLedgerMessage (noble) on valid and tampered messages', () => {
    const verify = createLedgerMessageVerifier(ledger.publicKey);
    const good = signLedgerMessage('receipt', receipt, ledger.secretKey, { topic: receiptTopic });
    const sig = Buffer.from(good.sig, 'base64url');
    const flipped = Buffer.from(sig);
    flipped.writeUInt8(flipped.readUInt8(10) ^ 1, 10);
    const highS = Buffer.from(sig);
    highS.writeUInt8(0xff, 63); // S >= L: non-canonical
    const cases: [LedgerMessage, string][] = [
      [good, receiptTopic],
      [good, topics.deviceReceipts('other')],
      [{ ...good, body: { ...receipt, index: 10 } }, receiptTopic],
      [{ ...good, sig: flipped.toString('base64url') }, receiptTopic],
      [{ ...good, sig: highS.toString('base64url') }, receiptTopic],
      [signLedgerMessage('receipt', receipt, generateKeyPair().secretKey, { topic: receiptTopic }), receiptTopic],
      [signLedgerMessage('receipt', receipt, ledger.secretKey), receiptTopic],
    ];
    for (const [message, topic] of cases) {
      expect(verify(message, topic).ok).toBe(verifyLedgerMessage(message, ledger.publicKey, { topic }).ok);
    }
    expect(verify(good, receiptTopic).ok).toBe(true);
  });
});
