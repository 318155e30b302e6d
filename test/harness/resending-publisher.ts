// A publisher that behaves like a gateway's outbox: keeps every envelope until it holds a ledger receipt, resends
// what is unanswered after a while or after a reconnect, and never has more than `window` in flight.
import mqtt, { type MqttClient } from 'mqtt';
import { parseLedgerMessage, receiptsOf, verifyLedgerMessage } from '../../schemas/signing/ledger-message.js';
import { topics, type Receipt } from '../../schemas/topics.js';

export interface ResendingPublisherOptions {
  readonly mqttUrl: string;
  readonly device: string;
  readonly password: string;
  readonly ledgerPublicKey: Uint8Array;
  /** Serialised envelopes, seq = position + 1 unless `seqOf` says otherwise. */
  readonly payloads: readonly { seq: number; payload: string }[];
  readonly window?: number;
  readonly resendAfterMs?: number;
}

export interface PublisherResult {
  readonly receipts: Map<number, Receipt>;
  readonly sent: number;
  readonly latenciesMs: number[];
}

export function runResendingPublisher(o: ResendingPublisherOptions, onReceipt?: () => void): { done: Promise<PublisherResult>; stop(): Promise<void> } {
  const window = o.window ?? 200;
  const resendAfter = o.resendAfterMs ?? 3000;
  const receipts = new Map<number, Receipt>();
  const inflight = new Map<number, number>(); // seq → time sent
  const firstSent = new Map<number, number>();
  const latenciesMs: number[] = [];
  let next = 0;
  let sent = 0;
  const bySeq = new Map(o.payloads.map((p) => [p.seq, p.payload]));
  const receiptsTopic = topics.deviceReceipts(o.device);
  const client: MqttClient = mqtt.connect(o.mqttUrl, {
    clientId: o.device,
    username: o.device,
    password: o.password,
    reconnectPeriod: 250,
    connectTimeout: 5000,
    clean: true,
  });
  let resolveDone!: (r: PublisherResult) => void;
  const done = new Promise<PublisherResult>((r) => (resolveDone = r));

  const send = (seq: number) => {
    if (!client.connected) return;
    const now = Date.now();
    inflight.set(seq, now);
    if (!firstSent.has(seq)) firstSent.set(seq, now);
    sent++;
    client.publish(topics.deviceEvents(o.device), bySeq.get(seq)!, { qos: 1 }, () => undefined);
  };
  const pump = () => {
    while (client.connected && inflight.size < window && next < o.payloads.length) {
      const seq = o.payloads[next++]!.seq;
      if (!receipts.has(seq)) send(seq);
    }
  };
  client.on('connect', () => {
    client.subscribe(receiptsTopic, { qos: 1 }, () => {
      // After a reconnect everything unanswered is sent again: the ledger answers duplicates with their index.
      for (const seq of [...inflight.keys()]) send(seq);
      pump();
    });
  });
  client.on('error', () => undefined);
  client.on('message', (topic, payload) => {
    if (topic !== receiptsTopic) return;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const m = parseLedgerMessage(json);
    if (!m.ok || receiptsOf(m.value).length === 0 || !verifyLedgerMessage(m.value, o.ledgerPublicKey, { topic }).ok) return;
    for (const r of receiptsOf(m.value)) {
      if (!inflight.has(r.seq)) continue;
      inflight.delete(r.seq);
      if (!receipts.has(r.seq)) {
        receipts.set(r.seq, r);
        latenciesMs.push(Date.now() - firstSent.get(r.seq)!);
        onReceipt?.();
      }
    }
    if (receipts.size === o.payloads.length) {
      clearInterval(timer);
      resolveDone({ receipts, sent, latenciesMs });
    } else pump();
  });
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [seq, at] of inflight) if (now - at > resendAfter) send(seq);
    pump();
  }, 250);
  return {
    done,
    async stop() {
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
}
