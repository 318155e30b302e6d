// What only the embedded broker does: start-up on a taken port, account lookups that fail or disagree, refusals
// reported for logging, shared subscriptions refused, and a clean close.
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../../../schemas/topics.js';
import {
  startEmbeddedBroker,
  type BrokerAccount,
  type BrokerDenial,
  type EmbeddedBroker,
} from '../../../../server/adapters/mqtt/embedded-broker.js';
import { hashMqttPassword } from '../../../../server/adapters/mqtt/mqtt-credentials.js';

const PASSWORD = 'correct horse battery staple';
const started: EmbeddedBroker[] = [];
const clients: mqtt.MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await Promise.all(started.splice(0).map((b) => b.close()));
});

async function start(lookupAccount: (username: string) => Promise<BrokerAccount | undefined>) {
  const denials: BrokerDenial[] = [];
  const passwordHash = await hashMqttPassword(PASSWORD);
  const broker = await startEmbeddedBroker({
    port: 0,
    ledger: { username: 'pedigree-ledger', passwordHash },
    lookupAccount,
    onDenied: (d) => denials.push(d),
  });
  started.push(broker);
  return { broker, denials, passwordHash };
}

async function connectCode(url: string, username: string, clientId = username): Promise<number | 'connected'> {
  try {
    const client = await mqtt.connectAsync(url, {
      username,
      password: PASSWORD,
      clientId,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return 'connected';
  } catch (e) {
    return (e as { code: number }).code;
  }
}

describe('when the port is taken', () => {
  it('rejects with an error naming the port, and the cause EADDRINUSE', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const error = await startEmbeddedBroker({
        port,
        ledger: { username: 'pedigree-ledger', passwordHash: await hashMqttPassword(PASSWORD) },
        lookupAccount: async () => undefined,
      }).then(
        () => undefined,
        (e: unknown) => e as Error & { cause?: { code?: string } },
      );
      expect(error?.message).toContain(String(port));
      expect(error?.cause?.code).toBe('EADDRINUSE');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('when started on port 0', () => {
  it('reports the bound port and url, and close() frees the port and drops clients', async () => {
    const { broker } = await start(async () => undefined);
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    const client = await mqtt.connectAsync(broker.url, {
      username: 'pedigree-ledger',
      password: PASSWORD,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await broker.close();
    started.splice(0);
    await closed;
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(broker.port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => again.close(() => resolve()));
    await client.endAsync(true);
  });
});

describe('when the account lookup fails', () => {
  it('answers "server unavailable" (3) rather than letting the client in or crashing', async () => {
    const { broker, denials } = await start(async () => {
      throw new Error('database down');
    });
    expect(await connectCode(broker.url, 'gw-a')).toBe(3);
    expect(denials).toEqual([{ action: 'connect', reason: 'LOOKUP_FAILED', clientId: 'gw-a', username: 'gw-a' }]);
  });
});

describe("when the registry's device id is not the username", () => {
  it('refuses the client: the ACL would otherwise follow another name than the one authenticated', async () => {
    const { broker, denials, passwordHash } = await start(async () => ({
      principal: { kind: 'device', device: 'gw-b', siteGln: '4012345000009' },
      passwordHash,
      active: true,
    }));
    expect(await connectCode(broker.url, 'gw-a')).toBe(5);
    expect(denials.map((d) => d.reason)).toEqual(['ACCOUNT_MISCONFIGURED']);
  });
});

describe('when a device is refused something', () => {
  it('reports each refusal with the device and topic, for the security log', async () => {
    const { broker, denials, passwordHash } = await start(async (username) =>
      username === 'gw-a'
        ? { principal: { kind: 'device', device: 'gw-a', siteGln: '4012345000009' }, passwordHash, active: true }
        : undefined,
    );
    expect(await connectCode(broker.url, 'gw-a')).toBe('connected');
    const client = clients[0]!;
    await client.subscribeAsync('#').catch(() => undefined);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topics.checkpoint, 'FAKE', { qos: 1 });
    await closed;
    expect(denials).toEqual([
      { action: 'subscribe', reason: 'TOPIC_NOT_ALLOWED', clientId: 'gw-a', username: 'gw-a', topic: '#' },
      { action: 'publish', reason: 'TOPIC_NOT_ALLOWED', clientId: 'gw-a', username: 'gw-a', topic: topics.checkpoint },
    ]);
  });
});

describe('when the ledger asks for a shared subscription', () => {
  it('is refused in the SUBACK, since aedes would take $share/… literally and deliver nothing', async () => {
    const { broker, denials } = await start(async () => undefined);
    expect(await connectCode(broker.url, 'pedigree-ledger')).toBe('connected');
    const ledger = clients[0]!;
    const granted = await ledger.subscribeAsync(topics.sharedDeviceEvents, { qos: 1 }).then(
      () => 'granted',
      (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
    );
    expect(granted).toEqual([0x80]);
    expect(denials.map((d) => d.reason)).toEqual(['SHARED_SUBSCRIPTION_UNSUPPORTED']);
    expect((await ledger.subscribeAsync(topics.allDeviceEvents, { qos: 1 })).map((g) => g.qos)).toEqual([1]);
  });
});
