// A benchmark gateway: publishes pre-signed envelopes at QoS 1 with a bounded window (optionally paced), and
// records publish→receipt latency per event. Receipts are parsed but their signatures are not checked here, to
// keep the load generator's CPU for the system under test (the tests check them).
import mqtt from 'mqtt';
import { topics } from '../../schemas/topics.js';

export interface LoadPublisherOptions {
  readonly mqttUrl: string;
  readonly device: string;
  readonly password: string;
  readonly payloads: readonly Buffer[]; // seq = index + firstSeq
  readonly firstSeq: number;
  readonly window: number;
  /** Events per second for this gateway; undefined = as fast as the window allows. */
  readonly rate?: number;
}

export interface LoadResult {
  readonly latenciesMs: number[];
  readonly accepted: number;
  readonly other: number;
  readonly firstPublish: number;
  readonly lastReceipt: number;
}

export async function runLoadPublisher(o: LoadPublisherOptions): Promise<LoadResult> {
  const client = await mqtt.connectAsync(o.mqttUrl, {
    clientId: o.device,
    username: o.device,
    password: o.password,
    clean: true,
    reconnectPeriod: 500,
  });
  const receiptsTopic = topics.deviceReceipts(o.device);
  const sentAt = new Float64Array(o.payloads.length);
  const latenciesMs: number[] = [];
  let accepted = 0;
  let other = 0;
  let next = 0;
  let inflight = 0;
  let done = 0;
  let firstPublish = 0;
  let lastReceipt = 0;
  const start = performance.now();
  return new Promise<LoadResult>((resolve) => {
    // A gateway draining its outbox writes what it publishes in one go: cork the socket for the burst, so the
    // window goes out in a few system calls rather than one per message (mqtt-packet uncorks per packet otherwise).
    const socket = client.stream as unknown as { cork?: () => void; uncork?: () => void };
    const pump = () => {
      socket.cork?.();
      try {
        fill();
      } finally {
        process.nextTick(() => socket.uncork?.());
      }
    };
    const fill = () => {
      while (inflight < o.window && next < o.payloads.length) {
        if (o.rate !== undefined && next > (o.rate * (performance.now() - start)) / 1000) {
          setTimeout(pump, 2);
          return;
        }
        const i = next++;
        sentAt[i] = performance.now();
        if (firstPublish === 0) firstPublish = sentAt[i]!;
        inflight++;
        client.publish(topics.deviceEvents(o.device), o.payloads[i]!, { qos: 1 });
      }
    };
    client.on('message', (topic, payload) => {
      if (topic !== receiptsTopic) return;
      type R = { seq: number; status: string };
      const m = JSON.parse(payload.toString('utf8')) as { kind: string; body: R | { receipts: R[] } };
      const list = 'receipts' in m.body ? m.body.receipts : [m.body];
      const now = performance.now();
      for (const r of list) {
        const i = r.seq - o.firstSeq;
        if (i < 0 || i >= o.payloads.length || sentAt[i] === -1) continue;
        lastReceipt = now;
        latenciesMs.push(lastReceipt - sentAt[i]!);
        sentAt[i] = -1;
        if (r.status === 'accepted') accepted++;
        else other++;
        inflight--;
        done++;
      }
      if (done === o.payloads.length) {
        void client.endAsync().then(() => resolve({ latenciesMs, accepted, other, firstPublish, lastReceipt }));
      } else pump();
    });
    client.subscribe(receiptsTopic, { qos: 1 }, () => pump());
  });
}
