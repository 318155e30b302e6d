// The gateway's MQTT link against a bare, unauthenticated broker (the "misconfigured broker" of DESIGN.md §4):
// only what the ledger signed may empty the outbox, the in-flight window is bounded, a reconnect resends in order.
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerLink, type RejectedEnvelope } from '../../gateway/ledger-link.js';
import { ledgerTrustFromVkey } from '../../gateway/ledger-messages.js';
import { Outbox } from '../../gateway/outbox.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { signLedgerMessage } from '../../schemas/signing/ledger-message.js';
import { formatVkey, SIGNATURE_TYPE_ED25519 } from '../../schemas/signing/signed-note.js';
import { topics } from '../../schemas/topics.js';
import { quietLogger, waitFor } from './gateway-fixtures.js';

const DEVICE = 'gw-link';
const ledgerKey = generateKeyPair();
const trust = (() => {
  const t = ledgerTrustFromVkey(formatVkey({ name: 'test/ledger', type: SIGNATURE_TYPE_ED25519, publicKey: ledgerKey.publicKey }));
  if (!t.ok) throw new Error(t.message);
  return t.value;
})();

interface Broker {
  port: number;
  close(): Promise<void>;
}

async function startBroker(port = 0): Promise<Broker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
}

describe('the ledger link', () => {
  let dir: string;
  let broker: Broker;
  let outbox: Outbox;
  let link: LedgerLink | undefined;
  let spy: MqttClient;
  const seen: number[] = [];
  const rejected: RejectedEnvelope[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pedigree-link-'));
    broker = await startBroker();
    outbox = await Outbox.open({ dir, fsync: false });
    seen.length = 0;
    rejected.length = 0;
    spy = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'spy' });
    spy.on('message', (_t, payload) => seen.push(JSON.parse(payload.toString()).seq as number));
    await spy.subscribeAsync(topics.deviceEvents(DEVICE), { qos: 1 });
  });

  afterEach(async () => {
    await link?.stop();
    link = undefined;
    await spy.endAsync();
    await outbox.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function fill(n: number) {
    const all = [];
    for (let i = 0; i < n; i++) all.push(outbox.append((seq) => Buffer.from(JSON.stringify({ seq, event: { eventID: `e${seq}` } }))));
    await Promise.all(all.map((a) => a.durable));
  }

  function startLink(maxInFlight: number) {
    link = new LedgerLink({
      url: `mqtt://127.0.0.1:${broker.port}`,
      device: DEVICE,
      username: DEVICE,
      password: 'x',
      siteGln: '4012345000009',
      outbox,
      trust,
      maxInFlight,
      receiptTimeoutMs: 60_000,
      logger: quietLogger(),
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      onRejected: (r) => rejected.push(r),
    });
    link.start();
  }

  const receipt = (seq: number, status: 'accepted' | 'duplicate' | 'rejected', key = ledgerKey.secretKey, topic = topics.deviceReceipts(DEVICE)) =>
    JSON.stringify(
      signLedgerMessage('receipt', { seq, status, eventID: `e${seq}`, ...(status === 'rejected' ? { code: 'SEQ_REUSED' } : { index: seq }) }, key, { topic }),
    );

  it('never has more than maxInFlight envelopes out, whatever the backlog', async () => {
    await fill(50);
    startLink(10);
    await waitFor(() => (seen.length === 10 ? true : undefined));
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(link!.inFlight).toBe(10);
  });

  it('ignores forged receipts, and lets a signed one free its envelope and the next one go', async () => {
    await fill(5);
    startLink(2);
    await waitFor(() => (seen.length === 2 ? true : undefined));
    const topic = topics.deviceReceipts(DEVICE);
    await spy.publishAsync(topic, receipt(1, 'accepted', generateKeyPair().secretKey), { qos: 1 }); // wrong key
    await spy.publishAsync(topic, receipt(1, 'accepted', ledgerKey.secretKey, topics.deviceReceipts('gw-other')), { qos: 1 }); // another device's
    await spy.publishAsync(topic, JSON.stringify({ seq: 1, status: 'accepted' }), { qos: 1 }); // unsigned
    await waitFor(() => (link!.counters.forged === 3 ? true : undefined));
    expect(outbox.pending).toBe(5);
    await spy.publishAsync(topic, receipt(1, 'accepted'), { qos: 1 });
    await waitFor(() => (seen.length === 3 ? true : undefined));
    expect(outbox.pending).toBe(4);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('moves a rejected envelope to the rejected list with its code', async () => {
    await fill(1);
    startLink(5);
    await waitFor(() => (seen.length === 1 ? true : undefined));
    await spy.publishAsync(topics.deviceReceipts(DEVICE), receipt(1, 'rejected'), { qos: 1 });
    await waitFor(() => (rejected.length === 1 ? true : undefined));
    expect(rejected[0]).toMatchObject({ seq: 1, code: 'SEQ_REUSED', eventID: 'e1' });
    expect(JSON.parse(rejected[0]!.envelope!).seq).toBe(1);
    expect(outbox.pending).toBe(0);
  });

  it('keeps an envelope whose seq the ledger holds under another event, and lets the matching receipt free its own', async () => {
    const id = (seq: number) => `ni:///sha-256;${seq.toString(16).padStart(64, '0')}?ver=CBV2.0`;
    for (const seq of [1, 2]) {
      // The shape envelope-signer.ts writes: the event's eventID right after its type.
      await outbox.append((s) => Buffer.from(JSON.stringify({ v: 1, device: DEVICE, seq: s, event: { type: 'ObjectEvent', eventID: id(s), epcList: [] }, sig: 'x' }))).durable;
      expect(outbox.nextSeq).toBe(seq + 1);
    }
    startLink(5);
    await waitFor(() => (seen.length === 2 ? true : undefined));
    const topic = topics.deviceReceipts(DEVICE);
    const signed = (seq: number, eventID: string) => JSON.stringify(signLedgerMessage('receipt', { seq, status: 'duplicate', eventID, index: 7 }, ledgerKey.secretKey, { topic }));
    await spy.publishAsync(topic, signed(1, id(999)), { qos: 1 });
    await spy.publishAsync(topic, signed(2, id(2)), { qos: 1 });
    await waitFor(() => (outbox.pending === 0 ? true : undefined));
    expect(rejected).toMatchObject([{ seq: 1, code: 'RECEIPT_EVENT_MISMATCH', eventID: id(999) }]);
    expect(link!.counters).toMatchObject({ duplicate: 1, rejected: 1 });
  });

  it('passes on recall notices the ledger signed (retained), and flags forged and unsigned ones', async () => {
    const notice = { id: 'R9', scope: { gtin: '09506000134352', lots: ['L1'] }, class: 'I', reason: 'x' };
    await spy.publishAsync(topics.recall('R9'), JSON.stringify(signLedgerMessage('recall', notice, ledgerKey.secretKey, { topic: topics.recall('R9') })), { qos: 1, retain: true });
    await spy.publishAsync(topics.recall('R8'), JSON.stringify(signLedgerMessage('recall', { ...notice, id: 'R8' }, generateKeyPair().secretKey, { topic: topics.recall('R8') })), { qos: 1, retain: true });
    const inbound: string[] = [];
    link = new LedgerLink({
      url: `mqtt://127.0.0.1:${broker.port}`,
      device: DEVICE,
      username: DEVICE,
      password: 'x',
      siteGln: '4012345000009',
      outbox,
      trust,
      maxInFlight: 1,
      receiptTimeoutMs: 60_000,
      logger: quietLogger(),
      onRejected: () => {},
      onInbound: (m) => inbound.push(m.kind === 'recall' || m.kind === 'recall-cleared' ? `${m.kind}:${m.recallId}` : m.kind),
    });
    link.start();
    await waitFor(() => (inbound.length === 1 && link!.counters.forged === 1 ? true : undefined));
    expect(inbound).toEqual(['recall:R9']);
    await spy.publishAsync(topics.recall('R9'), '', { qos: 1, retain: true });
    await waitFor(() => (inbound.length === 2 ? true : undefined));
    expect(inbound[1]).toBe('recall-cleared:R9');
  });

  it('after the broker restarts, publishes everything still unreceipted again, in order', async () => {
    await fill(6);
    startLink(4);
    await waitFor(() => (seen.length === 4 ? true : undefined));
    const port = broker.port;
    await spy.endAsync(true);
    await broker.close();
    await waitFor(() => (link!.state !== 'online' ? true : undefined));
    broker = await startBroker(port);
    spy = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'spy' });
    const again: number[] = [];
    spy.on('message', (_t, payload) => again.push(JSON.parse(payload.toString()).seq as number));
    await spy.subscribeAsync(topics.deviceEvents(DEVICE), { qos: 1 });
    await waitFor(() => (again.length >= 4 ? true : undefined), 10_000);
    expect(again.slice(0, 4)).toEqual([1, 2, 3, 4]);
    for (const seq of [1, 2, 3, 4, 5, 6]) await spy.publishAsync(topics.deviceReceipts(DEVICE), receipt(seq, seq % 2 ? 'accepted' : 'duplicate'), { qos: 1 });
    await waitFor(() => (outbox.pending === 0 ? true : undefined));
    await link!.whenDrained();
    expect(again).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
