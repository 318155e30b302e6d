// A test gateway: signs envelopes with its device key, publishes them over MQTT and collects the ledger's receipts,
// checking each receipt's ledger signature and topic binding.
import mqtt, { type MqttClient } from 'mqtt';
import { signEnvelope, type SignedEnvelope } from '../../schemas/signing/envelope.js';
import { parseLedgerMessage, receiptsOf, verifyLedgerMessage } from '../../schemas/signing/ledger-message.js';
import { topics, type Receipt } from '../../schemas/topics.js';
import type { EnrolledTestDevice } from './ledger-harness.js';

export interface TestDeviceClient {
  readonly client: MqttClient;
  readonly receipts: Map<number, Receipt>;
  /** Receipts that failed the ledger signature check (must stay empty). */
  readonly forged: unknown[];
  envelope(seq: number, event: Record<string, unknown>): SignedEnvelope;
  publish(envelope: SignedEnvelope | string | Uint8Array, topic?: string): Promise<void>;
  waitForReceipts(seqs: readonly number[], timeoutMs?: number): Promise<Receipt[]>;
  close(): Promise<void>;
}

export async function connectTestDevice(
  mqttUrl: string,
  device: EnrolledTestDevice,
  ledgerPublicKey: Uint8Array,
): Promise<TestDeviceClient> {
  const client = await mqtt.connectAsync(mqttUrl, {
    username: device.mqtt.username,
    password: device.mqtt.password,
    clientId: device.device, // the broker requires client id = username for devices
    reconnectPeriod: 200,
  });
  const receipts = new Map<number, Receipt>();
  const forged: unknown[] = [];
  const waiters = new Set<() => void>();
  const receiptsTopic = topics.deviceReceipts(device.device);
  client.on('message', (topic, payload) => {
    if (topic !== receiptsTopic) return;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      forged.push(payload.toString());
      return;
    }
    const parsed = parseLedgerMessage(json);
    if (!parsed.ok || receiptsOf(parsed.value).length === 0 || !verifyLedgerMessage(parsed.value, ledgerPublicKey, { topic }).ok) {
      forged.push(json);
      return;
    }
    // Keep the first final answer per seq; duplicates of an accepted receipt carry the same index.
    for (const receipt of receiptsOf(parsed.value)) if (!receipts.has(receipt.seq)) receipts.set(receipt.seq, receipt);
    for (const w of waiters) w();
  });
  await client.subscribeAsync(receiptsTopic, { qos: 1 });
  return {
    client,
    receipts,
    forged,
    envelope: (seq, event) => signEnvelope({ v: 1, device: device.device, seq, event }, device.secretKey),
    async publish(envelope, topic = topics.deviceEvents(device.device)) {
      const payload = typeof envelope === 'string' || envelope instanceof Uint8Array ? envelope : JSON.stringify(envelope);
      await client.publishAsync(topic, Buffer.from(payload), { qos: 1 });
    },
    waitForReceipts(seqs, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (seqs.every((s) => receipts.has(s))) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(seqs.map((s) => receipts.get(s)!));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const missing = seqs.filter((s) => !receipts.has(s));
          reject(new Error(`no receipt within ${timeoutMs} ms for seq ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? '…' : ''}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => client.endAsync(),
  };
}
