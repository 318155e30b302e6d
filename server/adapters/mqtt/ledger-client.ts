// The ledger's MQTT client: subscribes to every device's events topic, feeds the ingest pipeline with backpressure,
// takes the devices' recall acknowledgements, and publishes signed receipts and the retained checkpoint (DESIGN.md §4).
import mqtt, { type MqttClient, type IClientOptions } from 'mqtt';
import { MAX_RECEIPTS_PER_MESSAGE, parseDeviceRecallAcksTopic, TOPIC_QOS, topics, type Receipt } from '../../../schemas/topics.js';
import type { LedgerSigner, Notifier } from '../../domain/ports.js';

export interface LedgerMqttClientOptions {
  readonly url: string;
  /** Stable per ledger process (each process of a scale-out needs its own). */
  readonly clientId?: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly signer: LedgerSigner;
  /** MQTT 5 shared subscription, for several ledger processes on Mosquitto/EMQX (not on Aedes, which is 3.1.1). */
  readonly shared?: boolean;
  /** Receives each device message; returns the current backlog so the client can slow the broker down. */
  readonly onMessage: (topic: string, payload: Uint8Array) => void;
  /** Receives each recall acknowledgement (pedigree/v1/devices/{device}/recall-acks); not paced by the backlog. */
  readonly onRecallAck?: (topic: string, payload: Uint8Array) => void;
  readonly backlog: () => number;
  /** Above this backlog, PUBACKs wait, so the broker holds further messages (TCP-level backpressure). */
  readonly maxBacklog?: number;
  readonly connectTimeoutMs?: number;
  readonly onConnectionChange?: (connected: boolean) => void;
}

export interface LedgerMqttClient extends Notifier {
  readonly connected: () => boolean;
  /** Stops taking messages (unsubscribes); publishing still works until close(). */
  stopTaking(): Promise<void>;
  close(): Promise<void>;
  publishSigned(topic: string, kind: 'alert' | 'recall', body: unknown, retain?: boolean): Promise<void>;
}

export async function connectLedgerMqttClient(o: LedgerMqttClientOptions): Promise<LedgerMqttClient> {
  const shared = o.shared ?? false;
  const options: IClientOptions = {
    // A stable id with a persistent session: the broker keeps QoS 1 messages queued while the ledger restarts.
    clientId: o.clientId ?? 'pedigree-ledger',
    clean: false,
    protocolVersion: shared ? 5 : 4,
    reconnectPeriod: 1000,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
  };
  const client: MqttClient = mqtt.connect(o.url, options);
  const maxBacklog = o.maxBacklog ?? 20_000;
  let waiting: (() => void)[] = [];
  const release = () => {
    if (o.backlog() >= maxBacklog) return;
    const w = waiting;
    waiting = [];
    for (const done of w) done();
  };
  const pacer = setInterval(release, 5);
  pacer.unref();
  // PUBACK for QoS 1 is sent when callback runs: holding it back paces the broker (it caps in-flight messages).
  client.handleMessage = (packet, callback) => {
    const payload = typeof packet.payload === 'string' ? new TextEncoder().encode(packet.payload) : packet.payload;
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    if (parseDeviceRecallAcksTopic(packet.topic) !== undefined) {
      o.onRecallAck?.(packet.topic, bytes);
      callback();
      return;
    }
    o.onMessage(packet.topic, bytes);
    if (o.backlog() < maxBacklog) callback();
    else waiting.push(() => callback());
  };
  client.on('connect', () => o.onConnectionChange?.(true));
  client.on('close', () => o.onConnectionChange?.(false));

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      client.end(true);
      reject(e);
    };
    const timer = setTimeout(() => onError(new Error(`no connection to ${o.url} within ${options.connectTimeout} ms`)), options.connectTimeout);
    client.once('connect', () => {
      clearTimeout(timer);
      client.off('error', onError);
      resolve();
    });
    client.once('error', onError);
  });
  client.on('error', () => undefined); // reconnects on its own; state is visible through connected()
  const filter = shared ? topics.sharedDeviceEvents : topics.allDeviceEvents;
  // Acknowledgements are idempotent, so several ledger processes may each take every one (no shared subscription).
  const filters = o.onRecallAck ? [filter, topics.allDeviceRecallAcks] : [filter];
  await client.subscribeAsync(filters, { qos: TOPIC_QOS });

  const publish = (topic: string, payload: string, retain = false) =>
    client.publishAsync(topic, payload, { qos: TOPIC_QOS, retain }).then(() => undefined);

  return {
    connected: () => client.connected,
    async sendReceipts(receipts: readonly { device: string; receipt: Receipt }[]) {
      // One signed `receipts` message per device per batch (schemas/topics.ts receiptBatchSchema), in seq order.
      const byDevice = new Map<string, Receipt[]>();
      for (const { device, receipt } of receipts) {
        const list = byDevice.get(device);
        if (list) list.push(receipt);
        else byDevice.set(device, [receipt]);
      }
      const sends: Promise<void>[] = [];
      for (const [device, list] of byDevice) {
        const topic = topics.deviceReceipts(device);
        for (let i = 0; i < list.length; i += MAX_RECEIPTS_PER_MESSAGE) {
          const body = { receipts: list.slice(i, i + MAX_RECEIPTS_PER_MESSAGE) };
          sends.push(publish(topic, JSON.stringify(o.signer.signMessage('receipts', body, topic))));
        }
      }
      await Promise.all(sends);
    },
    async publishCheckpoint(note: string) {
      await publish(topics.checkpoint, note, true);
    },
    async publishSigned(topic, kind, body, retain = false) {
      await publish(topic, JSON.stringify(o.signer.signMessage(kind, body, topic)), retain);
    },
    async stopTaking() {
      await client.unsubscribeAsync(filters).catch(() => undefined);
    },
    async close() {
      clearInterval(pacer);
      for (const done of waiting) done();
      waiting = [];
      await client.endAsync();
    },
  };
}
