// A stand-in ledger that answers every envelope at once with a signed `accepted` receipt (no checks, no database):
// what the gateway's own drain rate is when the server is not the bottleneck. Benchmarks only.
//
// Like the ledger since receipts are batched (schemas/topics.ts receiptBatchSchema), it answers with one signed
// `receipts` message per device for whatever arrived in one turn of the event loop (at most 1000); `single` sends
// one signed `receipt` per envelope, as the ledger used to.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { createLedgerSigner } from '../../server/adapters/ledger-signer.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { MAX_RECEIPTS_PER_MESSAGE, parseDeviceEventsTopic, topics, type Receipt } from '../../schemas/topics.js';

export interface EchoLedger {
  readonly mqttUrl: string;
  readonly verifierKey: string;
  received: number;
  close(): Promise<void>;
}

export interface EchoLedgerOptions {
  readonly receipts?: 'batch' | 'single';
}

export async function startEchoLedger(options: EchoLedgerOptions = {}): Promise<EchoLedger> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const signer = createLedgerSigner({ origin: 'bench.echo/ledger', secretKey: generateKeyPair().secretKey });
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'echo-ledger' });
  let index = 0;
  const echo: EchoLedger = {
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    verifierKey: signer.verifierKey,
    received: 0,
    async close() {
      await client.endAsync();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
  const pending = new Map<string, Receipt[]>();
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    for (const [device, list] of pending) {
      const topic = topics.deviceReceipts(device);
      for (let i = 0; i < list.length; i += MAX_RECEIPTS_PER_MESSAGE) {
        const body = { receipts: list.slice(i, i + MAX_RECEIPTS_PER_MESSAGE) };
        client.publish(topic, JSON.stringify(signer.signMessage('receipts', body, topic)), { qos: 1 });
      }
    }
    pending.clear();
  };
  client.on('message', (topic, payload) => {
    const device = parseDeviceEventsTopic(topic);
    if (!device) return;
    echo.received += 1;
    const envelope = JSON.parse(payload.toString('utf8')) as { seq: number; event: { eventID: string } };
    const receipt: Receipt = { eventID: envelope.event.eventID, seq: envelope.seq, status: 'accepted', index: index++ };
    if (options.receipts === 'single') {
      const receiptTopic = topics.deviceReceipts(device);
      client.publish(receiptTopic, JSON.stringify(signer.signMessage('receipt', receipt, receiptTopic)), { qos: 1 });
      return;
    }
    const list = pending.get(device);
    if (list) list.push(receipt);
    else pending.set(device, [receipt]);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  });
  await client.subscribeAsync(topics.allDeviceEvents, { qos: 1 });
  return echo;
}
