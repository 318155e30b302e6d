// Ingest over MQTT end to end: receipts after commit, idempotency, and one code per kind of bad message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { signEnvelope } from '../../schemas/signing/envelope.js';
import { decodeBase64, encodeBase64url } from '../../schemas/signing/encoding.js';
import { verifyInclusion, leafHash } from '../../schemas/signing/merkle.js';
import { openCheckpoint } from '../../schemas/signing/checkpoint.js';
import { noteVerifierFromVkey } from '../../schemas/signing/signed-note.js';
import { topics } from '../../schemas/topics.js';
import { startLedgerHarness, enrollTestDevice, type LedgerHarness, type EnrolledTestDevice } from '../harness/ledger-harness.js';
import { connectTestDevice, type TestDeviceClient } from '../harness/device-client.js';
import { commissioningEvent } from '../harness/test-events.js';

const GTIN = '09506000134352';
// Aedes + PGlite always; Mosquitto + PostgreSQL when CI provides both (the production pairing).
const setups: { store: 'pglite' | 'postgres'; broker: 'embedded' | 'external' }[] = [{ store: 'pglite', broker: 'embedded' }];
if (process.env.PEDIGREE_TEST_DATABASE_URL && process.env.PEDIGREE_TEST_MQTT_URL) setups.push({ store: 'postgres', broker: 'external' });
const suffix = Math.random().toString(36).slice(2, 8);

describe.each(setups)('ingest on $store with the $broker broker', ({ store, broker }) => {
  let h: LedgerHarness;
  let dev: EnrolledTestDevice;
  let other: EnrolledTestDevice;
  let gw: TestDeviceClient;
  let gw2: TestDeviceClient;
  let seq = 0;

  beforeAll(async () => {
    h = await startLedgerHarness({ store, broker });
    // Unique ids: on a shared broker every test ledger hears every device.
    dev = await enrollTestDevice(h, { device: `gw-mfg-line-1-${suffix}`, gln: '9521234500001', ext: 'line-1' });
    other = await enrollTestDevice(h, { device: `gw-mfg-line-2-${suffix}`, gln: '9521234500001', ext: 'line-2' });
    gw = await connectTestDevice(h.ledger.mqttUrl, dev, h.ledger.signer.publicKey);
    gw2 = await connectTestDevice(h.ledger.mqttUrl, other, h.ledger.signer.publicKey);
  });
  afterAll(async () => {
    await gw?.close();
    await gw2?.close();
    await h?.stop();
  });

  const event = (serial: string, extra: Record<string, unknown> = {}) => ({
    ...commissioningEvent({ gtin: GTIN, serials: [serial], location: dev.location }),
    ...extra,
  });

  async function treeSize(): Promise<number> {
    return h.ledger.store.treeSize();
  }

  describe('when a device publishes signed commissioning events', () => {
    it('appends each once with contiguous indexes and answers with signed accepted receipts', async () => {
      const seqs = Array.from({ length: 50 }, () => ++seq);
      await Promise.all(seqs.map((s) => gw.publish(gw.envelope(s, event(`S${s}`)))));
      const receipts = await gw.waitForReceipts(seqs);
      expect(receipts.every((r) => r.status === 'accepted')).toBe(true);
      expect(new Set(receipts.map((r) => r.index)).size).toBe(50);
      expect(receipts.map((r) => r.index).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(gw.forged).toEqual([]);
      expect(await treeSize()).toBe(50);
    });

    it('serves the exact bytes, and an inclusion proof that verifies against the signed checkpoint', async () => {
      const s = ++seq;
      const env = gw.envelope(s, event(`P${s}`));
      const raw = JSON.stringify(env);
      await gw.publish(raw);
      const [receipt] = await gw.waitForReceipts([s]);
      const entry = await h.api('GET', `/v1/entries/${receipt!.index}`, undefined, '');
      expect(entry.status).toBe(200);
      expect(Buffer.from(decodeBase64(entry.body.bytes)!).toString('utf8')).toBe(raw);
      const cp = await h.api('GET', '/v1/checkpoint', undefined, '');
      const vkey = await h.api('GET', '/v1/verifier-key', undefined, '');
      const verifier = noteVerifierFromVkey(vkey.text.trim());
      expect(verifier.ok).toBe(true);
      if (!verifier.ok) return;
      const opened = openCheckpoint(cp.text, { logVerifier: verifier.value, origin: h.config.logOrigin });
      expect(opened.ok ? true : opened).toBe(true);
      if (!opened.ok) return;
      const size = opened.value.checkpoint.size;
      const proof = await h.api('GET', `/v1/proofs/inclusion?index=${receipt!.index}&size=${size}`, undefined, '');
      expect(proof.status).toBe(200);
      const ok = verifyInclusion({
        index: receipt!.index!,
        size,
        leafHash: leafHash(new TextEncoder().encode(raw)),
        proof: proof.body.hashes.map((b: string) => decodeBase64(b)!),
        root: opened.value.checkpoint.rootHash,
      });
      expect(ok.ok ? true : ok).toBe(true);
    });

    it('answers a retransmission with a duplicate receipt carrying the original index', async () => {
      const s = ++seq;
      const env = gw.envelope(s, event(`D${s}`));
      await gw.publish(env);
      const [first] = await gw.waitForReceipts([s]);
      gw.receipts.delete(s);
      const before = await treeSize();
      await gw.publish(env);
      const [again] = await gw.waitForReceipts([s]);
      expect(again).toMatchObject({ status: 'duplicate', index: first!.index, seq: s });
      expect(await treeSize()).toBe(before);
    });

    it('rejects the same seq with a different event as SEQ_REUSED', async () => {
      const s = ++seq;
      await gw.publish(gw.envelope(s, event(`R${s}`)));
      await gw.waitForReceipts([s]);
      gw.receipts.delete(s);
      const before = await treeSize();
      await gw.publish(gw.envelope(s, event(`R${s}-other`)));
      const [r] = await gw.waitForReceipts([s]);
      expect(r).toMatchObject({ status: 'rejected', code: 'SEQ_REUSED' });
      expect(await treeSize()).toBe(before);
    });
  });

  describe('when a message is bad', () => {
    async function expectRejected(s: number, payload: string | Uint8Array, code: string, client = gw) {
      const before = await treeSize();
      await client.publish(payload);
      const [r] = await client.waitForReceipts([s]);
      expect(r).toMatchObject({ status: 'rejected', code, seq: s });
      expect(await treeSize()).toBe(before);
    }

    it('rejects a forged signature with SIGNATURE_INVALID', async () => {
      const s = ++seq;
      const env = gw.envelope(s, event(`F${s}`));
      const sig = Buffer.from(env.sig, 'base64url');
      sig[5]! ^= 0x01;
      await expectRejected(s, JSON.stringify({ ...env, sig: encodeBase64url(sig) }), 'SIGNATURE_INVALID');
    });

    it('rejects an envelope signed with another key with SIGNATURE_INVALID', async () => {
      const s = ++seq;
      const env = signEnvelope({ v: 1, device: dev.device, seq: s, event: event(`K${s}`) }, generateKeyPair().secretKey);
      await expectRejected(s, JSON.stringify(env), 'SIGNATURE_INVALID');
    });

    it('rejects an envelope naming another device than its topic with TOPIC_DEVICE_MISMATCH', async () => {
      const s = ++seq;
      const env = signEnvelope({ v: 1, device: other.device, seq: s, event: event(`T${s}`) }, other.secretKey);
      await expectRejected(s, JSON.stringify(env), 'TOPIC_DEVICE_MISMATCH');
    });

    it('rejects an oversize payload with PAYLOAD_TOO_LARGE', async () => {
      const s = ++seq;
      const big = gw.envelope(s, event(`O${s}`, { padding: 'x'.repeat(70 * 1024) }));
      const before = await treeSize();
      await gw.publish(JSON.stringify(big));
      // Too large to be read, so no seq is known: it is recorded, not answered.
      await expect.poll(async () => (await h.api('GET', '/v1/rejections?code=PAYLOAD_TOO_LARGE')).body.rejections.length, { timeout: 10_000 }).toBe(1);
      expect(await treeSize()).toBe(before);
    });

    it('records invalid JSON as INVALID_JSON and keeps ingesting', async () => {
      await gw.publish('{"v":1,"device":');
      await gw.publish(new Uint8Array([0xff, 0xfe, 0x00]));
      await expect.poll(async () => (await h.api('GET', '/v1/rejections?code=INVALID_JSON')).body.rejections.length, { timeout: 10_000 }).toBe(2);
      const s = ++seq;
      await gw.publish(gw.envelope(s, event(`J${s}`)));
      const [r] = await gw.waitForReceipts([s]);
      expect(r!.status).toBe('accepted');
    });

    it('rejects an event that is not valid EPCIS 2.0 with EPCIS_INVALID', async () => {
      const s = ++seq;
      await expectRejected(s, JSON.stringify(gw.envelope(s, { ...event(`E${s}`), action: 'CREATE' })), 'EPCIS_INVALID');
    });

    it('rejects an eventID that does not match the content with EVENT_ID_MISMATCH', async () => {
      const s = ++seq;
      const wrong = 'ni:///sha-256;0000000000000000000000000000000000000000000000000000000000000000?ver=CBV2.0';
      await expectRejected(s, JSON.stringify(gw.envelope(s, { ...event(`H${s}`), eventID: wrong })), 'EVENT_ID_MISMATCH');
    });

    it('rejects a signed event holding U+0000 with EPCIS_INVALID, and appends the events batched with it', async () => {
      // Valid JSON and valid EPCIS, but PostgreSQL cannot store the string: before this check one such event failed
      // its whole batch, again on every resend, and no gateway in that batch got a receipt. (A lone surrogate cannot
      // be signed at all: RFC 8785 refuses it.)
      const [nul, fine] = [++seq, ++seq];
      const lot = (s: number, value: string) => {
        const e = event(`Z${s}`) as Record<string, unknown>;
        return { ...e, ilmd: { ...(e.ilmd as Record<string, unknown>), 'cbvmda:lotNumber': value } };
      };
      const before = await treeSize();
      await Promise.all([
        gw.publish(gw.envelope(nul, lot(nul, 'L\u0000T'))),
        gw.publish(gw.envelope(fine, event(`Z${fine}`))),
      ]);
      const receipts = await gw.waitForReceipts([nul, fine]);
      expect(receipts.map((r) => [r.seq, r.status, r.code])).toEqual([
        [nul, 'rejected', 'EPCIS_INVALID'],
        [fine, 'accepted', undefined],
      ]);
      expect(await treeSize()).toBe(before + 1);
      const listed = await h.api('GET', `/v1/rejections?device=${dev.device}&code=EPCIS_INVALID`);
      expect(listed.body.rejections.some((r: { detail: string }) => r.detail.includes('/ilmd/cbvmda:lotNumber'))).toBe(true);
    });

    it('rejects an eventTime the store cannot keep (a leap second, year 0000) with EPCIS_INVALID, and appends the events batched with it', async () => {
      // Both are valid RFC 3339 date-times: year 0000 failed its whole batch (timestamptz refuses it) and a leap
      // second threw in the checks, leaving the message unanswered.
      const [leap, zero, fine] = [++seq, ++seq, ++seq];
      const before = await treeSize();
      await Promise.all([
        gw.publish(gw.envelope(leap, event(`T${leap}`, { eventTime: '2026-06-30T23:59:60Z' }))),
        gw.publish(gw.envelope(zero, event(`T${zero}`, { eventTime: '0000-01-01T00:00:00Z' }))),
        gw.publish(gw.envelope(fine, event(`T${fine}`))),
      ]);
      const receipts = await gw.waitForReceipts([leap, zero, fine]);
      expect(receipts.map((r) => [r.seq, r.status, r.code])).toEqual([
        [leap, 'rejected', 'EPCIS_INVALID'],
        [zero, 'rejected', 'EPCIS_INVALID'],
        [fine, 'accepted', undefined],
      ]);
      expect(await treeSize()).toBe(before + 1);
    });

    it('rejects an event read at another location than the device with DEVICE_WRONG_LOCATION', async () => {
      const s = ++seq;
      const e = { ...event(`W${s}`), readPoint: { id: other.location }, bizLocation: { id: other.location } };
      await expectRejected(s, JSON.stringify(gw.envelope(s, e)), 'DEVICE_WRONG_LOCATION');
    });

    it('lists rejections over HTTP for admins only', async () => {
      const listed = await h.api('GET', '/v1/rejections?limit=100');
      expect(listed.status).toBe(200);
      const codes = new Set(listed.body.rejections.map((r: { code: string }) => r.code));
      for (const code of ['SIGNATURE_INVALID', 'TOPIC_DEVICE_MISMATCH', 'PAYLOAD_TOO_LARGE', 'INVALID_JSON', 'EPCIS_INVALID', 'EVENT_ID_MISMATCH', 'SEQ_REUSED']) {
        expect(codes).toContain(code);
      }
      expect((await h.api('GET', '/v1/rejections', undefined, '')).status).toBe(401);
      expect((await h.api('GET', '/v1/rejections', undefined, 'not-a-real-token-000000')).body.code).toBe('UNAUTHENTICATED');
    });

    it('rejects events of a revoked device with DEVICE_REVOKED', async () => {
      const revoked = await h.api('POST', `/v1/devices/${other.device}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');
      // The broker closes the revoked device's session; publish through the ledger's own path instead.
      const s = 1;
      const env = signEnvelope({ v: 1, device: other.device, seq: s, event: event(`V${s}`) }, other.secretKey);
      h.ledger.pipeline.accept(topics.deviceEvents(other.device), new TextEncoder().encode(JSON.stringify(env)));
      await h.ledger.pipeline.drain();
      const listed = await h.api('GET', `/v1/rejections?device=${other.device}&code=DEVICE_REVOKED`);
      expect(listed.body.rejections.length).toBe(1);
    });

    it('rejects events from an unknown device with UNKNOWN_DEVICE', async () => {
      const stranger = generateKeyPair();
      const env = signEnvelope({ v: 1, device: 'gw-nobody', seq: 1, event: event('U1') }, stranger.secretKey);
      h.ledger.pipeline.accept(topics.deviceEvents('gw-nobody'), new TextEncoder().encode(JSON.stringify(env)));
      await h.ledger.pipeline.drain();
      const listed = await h.api('GET', '/v1/rejections?device=gw-nobody');
      expect(listed.body.rejections.map((r: { code: string }) => r.code)).toEqual(['UNKNOWN_DEVICE']);
      expect(gw.forged).toEqual([]);
    });
  });

  describe('when a device key is rotated', () => {
    it('verifies the old key only below the rotation seq and the new key from it on', async () => {
      const next = generateKeyPair();
      const rotated = await h.api('POST', `/v1/devices/${dev.device}/rotate`, { publicKey: encodeBase64url(next.publicKey), fromSeq: seq + 10 });
      expect(rotated.status).toBe(200);
      const oldKeyLate = seq + 10;
      // An envelope signed before rotation (seq below the boundary) still verifies with the old key.
      const before = ++seq;
      await gw.publish(gw.envelope(before, event(`B${before}`)));
      // The old key past the boundary is refused; the new key is accepted.
      await gw.publish(signEnvelope({ v: 1, device: dev.device, seq: oldKeyLate, event: event(`X${oldKeyLate}`) }, dev.secretKey));
      const [a, b] = await gw.waitForReceipts([before, oldKeyLate]);
      expect(a!.status).toBe('accepted');
      expect(b).toMatchObject({ status: 'rejected', code: 'SIGNATURE_INVALID' });
      gw.receipts.delete(oldKeyLate);
      await gw.publish(signEnvelope({ v: 1, device: dev.device, seq: oldKeyLate, event: event(`Y${oldKeyLate}`) }, next.secretKey));
      const [c] = await gw.waitForReceipts([oldKeyLate]);
      expect(c!.status).toBe('accepted');
    });
  });
});
