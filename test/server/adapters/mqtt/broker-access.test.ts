// Broker access control end to end, with real mqtt.js clients: the same suite against the embedded broker and a
// Mosquitto process running the shipped mosquitto.conf with the rendered password file and ACL (DESIGN.md §4).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../../schemas/topics.js';
import {
  startEmbeddedBroker,
  type BrokerAccount,
  type BrokerDenial,
} from '../../../../server/adapters/mqtt/embedded-broker.js';
import { writeMosquittoFiles } from '../../../../server/adapters/mqtt/mosquitto-config.js';
import {
  generateMqttPassword,
  hashMqttPassword,
  type MqttAccount,
  type MqttCredential,
} from '../../../../server/adapters/mqtt/mqtt-credentials.js';
import type { Principal } from '../../../../server/adapters/mqtt/topic-acl.js';
import { mosquittoBin, startMosquitto } from '../../../harness/mosquitto-process.js';

const SHIPPED_CONF = fileURLToPath(new URL('../../../../server/adapters/mqtt/mosquitto.conf', import.meta.url));
const GLN_A = '4012345000009';
const GLN_B = '4012345000016';
const LEDGER = 'pedigree-ledger';
/** Quiet period after the last expected message, before asserting that nothing else arrived. */
const GRACE_MS = 300;

/** How a broker shows a refusal; MQTT 3.1.1 leaves the choice to the server (MQTT-3.3.5-2, §3.9.3). */
interface BrokerTraits {
  /** A refused PUBLISH: aedes closes the connection; Mosquitto acknowledges it and drops the message. */
  readonly refusedPublish: 'closed' | 'acked';
  /** SUBACK 0x80 for a refused filter (aedes); Mosquitto 2.0 grants it and filters every delivery instead. */
  readonly refusesSubscription: boolean;
  /** CONNACK return code (MQTT 3.1.1 §3.2.2.3) for a wrong password, an unknown user, a revoked device. */
  readonly wrongPasswordCode: number;
  readonly revokedCode: number;
  /** Client ids bound to usernames (embedded only; see startEmbeddedBroker). */
  readonly bindsClientIds: boolean;
  /** `$share/...` (Mosquitto); aedes has no shared subscriptions. */
  readonly sharedSubscriptions: boolean;
}

interface BrokerUnderTest {
  readonly url: string;
  /** Revokes a device as the ledger would: the broker must drop it now and refuse it from then on. */
  revoke(username: string): Promise<void>;
  stop(): Promise<void>;
}

interface Fixture {
  readonly ledger: MqttCredential;
  readonly accounts: Map<string, MqttAccount>;
  readonly passwords: Map<string, string>;
}

async function makeFixture(): Promise<Fixture> {
  const passwords = new Map<string, string>();
  const accounts = new Map<string, MqttAccount>();
  const add = async (username: string, principal: Principal, active = true) => {
    const password = generateMqttPassword();
    passwords.set(username, password);
    accounts.set(username, { username, principal, passwordHash: await hashMqttPassword(password), active });
  };
  passwords.set(LEDGER, generateMqttPassword());
  const ledger = { username: LEDGER, passwordHash: await hashMqttPassword(passwords.get(LEDGER)!) };
  await add('gw-a', { kind: 'device', device: 'gw-a', siteGln: GLN_A });
  await add('gw-b', { kind: 'device', device: 'gw-b', siteGln: GLN_B });
  await add('gw-c', { kind: 'device', device: 'gw-c', siteGln: GLN_A });
  await add('gw-retired', { kind: 'device', device: 'gw-retired', siteGln: GLN_A }, false);
  await add('witness-1', { kind: 'observer' });
  await add('witness-2', { kind: 'observer' });
  return { ledger, accounts, passwords };
}

/** Messages a client received, and a way to wait for the ones a test expects. */
class Inbox {
  readonly messages: { topic: string; payload: string; retain: boolean }[] = [];
  constructor(client: MqttClient) {
    client.on('message', (topic, payload, packet) =>
      this.messages.push({ topic, payload: payload.toString(), retain: packet.retain }),
    );
  }
  async waitFor(topic: string, payload: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.messages.some((m) => m.topic === topic && m.payload === payload)) {
      if (Date.now() > deadline) {
        const got = JSON.stringify(this.messages.map((m) => [m.topic, m.payload]));
        throw new Error(`no ${payload} on ${topic}; got ${got}`);
      }
      await sleep(10);
    }
  }
  topics(): string[] {
    return [...new Set(this.messages.map((m) => m.topic))].sort();
  }
}

function whenClosed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function defineBrokerSuite(
  name: string,
  traits: BrokerTraits,
  start: (fixture: Fixture) => Promise<BrokerUnderTest>,
): void {
  describe(name, () => {
    let fixture: Fixture;
    let broker: BrokerUnderTest;
    const open: MqttClient[] = [];

    /** MQTT 3.1.1 (all aedes speaks); client id = username, as the embedded broker requires of devices. */
    async function connect(username: string, password?: string, clientId = username): Promise<MqttClient> {
      const client = await mqtt.connectAsync(broker.url, {
        username,
        password: password ?? fixture.passwords.get(username),
        clientId,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      });
      open.push(client);
      return client;
    }

    async function connectRefusal(username: string | undefined, password: string | undefined, clientId?: string) {
      try {
        const client = await mqtt.connectAsync(broker.url, {
          ...(username === undefined ? {} : { username }),
          ...(password === undefined ? {} : { password }),
          clientId: clientId ?? username ?? 'anonymous',
          protocolVersion: 4,
          reconnectPeriod: 0,
          connectTimeout: 5_000,
        });
        await client.endAsync(true);
        return 'connected';
      } catch (e) {
        return (e as { code?: number }).code;
      }
    }

    /** Publishes from a fresh connection; reports whether the broker acknowledged it or closed the connection. */
    async function attemptPublish(username: string, topic: string, payload: string, opts: IClientPublishOptions) {
      const client = await connect(username);
      const closed = whenClosed(client).then(() => 'closed' as const);
      const acked = client.publishAsync(topic, payload, opts).then(
        () => 'acked' as const,
        () => 'closed' as const,
      );
      const outcome = await Promise.race([acked, closed]);
      await client.endAsync(true);
      return outcome;
    }

    beforeAll(async () => {
      fixture = await makeFixture();
      broker = await start(fixture);
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((c) => c.endAsync(true)));
    });
    afterAll(async () => {
      await broker?.stop();
    });

    describe('when a client connects', () => {
      it('accepts each enrolled party with the password whose $7$ hash the ledger stored', async () => {
        for (const username of [LEDGER, 'gw-a', 'gw-b', 'witness-1']) {
          const client = await connect(username);
          expect(client.connected).toBe(true);
        }
      });

      it('refuses a wrong password', async () => {
        expect(await connectRefusal('gw-a', generateMqttPassword())).toBe(traits.wrongPasswordCode);
        expect(await connectRefusal(LEDGER, generateMqttPassword())).toBe(traits.wrongPasswordCode);
      });

      it('refuses an unknown username and a client without credentials', async () => {
        expect(await connectRefusal('gw-unknown', generateMqttPassword())).toBe(traits.wrongPasswordCode);
        expect(await connectRefusal(undefined, undefined)).toSatisfy((c: unknown) => c === 4 || c === 5);
      });

      it('refuses a revoked device, even with its right password', async () => {
        expect(await connectRefusal('gw-retired', fixture.passwords.get('gw-retired'))).toBe(traits.revokedCode);
      });

      it.skipIf(!traits.bindsClientIds)(
        'refuses a device that takes another client id (a session takeover)',
        async () => {
          const password = fixture.passwords.get('gw-a');
          expect(await connectRefusal('gw-a', password, LEDGER)).toBe(2);
          expect(await connectRefusal('gw-a', password, 'gw-b')).toBe(2);
        },
      );
    });

    describe('when device A publishes what only the ledger or device B may publish', () => {
      it('nobody receives it, no fake is retained, and its own events still reach the ledger', async () => {
        const ledger = await connect(LEDGER);
        const ledgerInbox = new Inbox(ledger);
        await ledger.subscribeAsync([topics.allDeviceEvents, topics.allDeviceRecallAcks], { qos: 1 });
        const deviceB = await connect('gw-b');
        const inboxB = new Inbox(deviceB);
        await deviceB.subscribeAsync(
          [topics.deviceReceipts('gw-b'), topics.siteAlerts(GLN_B), topics.allRecalls, topics.checkpoint],
          { qos: 1 },
        );
        const witness = await connect('witness-1');
        const inboxW = new Inbox(witness);
        await witness.subscribeAsync([topics.allRecalls, topics.checkpoint], { qos: 1 });

        const forgeries: [string, string, IClientPublishOptions][] = [
          ['gw-a', topics.recall('R-FAKE'), { qos: 1, retain: true }],
          ['gw-a', topics.checkpoint, { qos: 1, retain: true }],
          ['gw-a', topics.deviceReceipts('gw-b'), { qos: 1 }],
          ['gw-a', topics.deviceReceipts('gw-a'), { qos: 1 }],
          ['gw-a', topics.siteAlerts(GLN_B), { qos: 1 }],
          ['gw-a', topics.deviceEvents('gw-b'), { qos: 1 }],
          ['gw-a', topics.deviceEvents('gw-b'), { qos: 0 }],
          // A recall acknowledgement in B's name (DESIGN.md §8): only B may send one.
          ['gw-a', topics.deviceRecallAcks('gw-b'), { qos: 1 }],
          ['witness-2', topics.deviceRecallAcks('gw-b'), { qos: 1 }],
          ['witness-2', topics.checkpoint, { qos: 1, retain: true }],
        ];
        for (const [username, topic, opts] of forgeries) {
          const outcome = await attemptPublish(username, topic, `FAKE from ${username}`, opts);
          if (opts.qos === 1) expect(outcome, `${username} → ${topic}`).toBe(traits.refusedPublish);
        }

        // What each may publish, sent after the forgeries: once these arrive, any forgery would have too.
        const deviceA = await connect('gw-a');
        await deviceA.publishAsync(topics.deviceEvents('gw-a'), 'event from A', { qos: 1 });
        await deviceA.publishAsync(topics.deviceRecallAcks('gw-a'), 'recall ack from A', { qos: 1 });
        await ledger.publishAsync(topics.deviceReceipts('gw-b'), 'receipt for B', { qos: 1 });
        await ledger.publishAsync(topics.siteAlerts(GLN_B), 'alert for B', { qos: 1 });
        await ledger.publishAsync(topics.recall('R-1'), 'recall R-1', { qos: 1, retain: true });
        await ledger.publishAsync(topics.checkpoint, 'checkpoint 1', { qos: 1, retain: true });
        await ledgerInbox.waitFor(topics.deviceEvents('gw-a'), 'event from A');
        await ledgerInbox.waitFor(topics.deviceRecallAcks('gw-a'), 'recall ack from A');
        await inboxB.waitFor(topics.checkpoint, 'checkpoint 1');
        await inboxB.waitFor(topics.deviceReceipts('gw-b'), 'receipt for B');
        await inboxW.waitFor(topics.checkpoint, 'checkpoint 1');
        await sleep(GRACE_MS);

        for (const inbox of [ledgerInbox, inboxB, inboxW]) {
          expect(inbox.messages.filter((m) => m.payload.startsWith('FAKE'))).toEqual([]);
        }
        expect(ledgerInbox.topics()).toEqual([topics.deviceEvents('gw-a'), topics.deviceRecallAcks('gw-a')]);

        // A late subscriber gets the retained recall and checkpoint the ledger published, and nothing forged.
        const late = await connect('gw-b', undefined, 'gw-b');
        const lateInbox = new Inbox(late);
        await late.subscribeAsync([topics.allRecalls, topics.checkpoint], { qos: 1 });
        await lateInbox.waitFor(topics.checkpoint, 'checkpoint 1');
        await lateInbox.waitFor(topics.recall('R-1'), 'recall R-1');
        await sleep(GRACE_MS);
        expect(lateInbox.messages.map((m) => [m.topic, m.payload, m.retain])).toEqual(
          expect.arrayContaining([
            [topics.recall('R-1'), 'recall R-1', true],
            [topics.checkpoint, 'checkpoint 1', true],
          ]),
        );
        expect(lateInbox.messages.filter((m) => m.payload.startsWith('FAKE'))).toEqual([]);
      });

      it('nor through a last will: a will on the checkpoint topic is never published', async () => {
        const watcher = await connect('gw-b');
        const inbox = new Inbox(watcher);
        await watcher.subscribeAsync(topics.checkpoint, { qos: 1 });
        const will = { topic: topics.checkpoint, payload: Buffer.from('FAKE will'), qos: 1 as const, retain: true };
        const deviceA = await mqtt
          .connectAsync(broker.url, {
            username: 'gw-a',
            password: fixture.passwords.get('gw-a'),
            clientId: 'gw-a',
            protocolVersion: 4,
            reconnectPeriod: 0,
            will,
          })
          .catch(() => undefined); // a broker may refuse the CONNECT outright; either way, no will
        if (deviceA) {
          const closed = whenClosed(deviceA);
          deviceA.stream.destroy(); // no DISCONNECT: the broker must act on the will
          await closed;
          await deviceA.endAsync(true);
        }
        const ledger = await connect(LEDGER);
        await ledger.publishAsync(topics.checkpoint, 'checkpoint after will', { qos: 1, retain: true });
        await inbox.waitFor(topics.checkpoint, 'checkpoint after will');
        await sleep(GRACE_MS);
        expect(inbox.messages.map((m) => m.payload)).not.toContain('FAKE will');
      });
    });

    describe("when device A subscribes to device B's receipts", () => {
      const attacks = [
        topics.deviceReceipts('gw-b'),
        'pedigree/v1/devices/+/receipts',
        'pedigree/v1/devices/#',
        'pedigree/v1/sites/+/alerts',
        topics.allDeviceEvents,
        'pedigree/#',
        '#',
        '$share/x/pedigree/v1/devices/+/receipts',
      ];

      const how = traits.refusesSubscription ? 'the SUBACK refuses each filter' : 'the broker filters each delivery';
      it(`${how}, and A receives only its own`, async () => {
        const deviceA = await connect('gw-a');
        const inboxA = new Inbox(deviceA);
        for (const filter of attacks) {
          const outcome = await deviceA.subscribeAsync(filter, { qos: 1 }).then(
            (granted) => granted.map((g) => g.qos),
            (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
          );
          expect(outcome, filter).toEqual(traits.refusesSubscription ? [0x80] : [1]);
        }
        await deviceA.subscribeAsync([topics.deviceReceipts('gw-a'), topics.siteAlerts(GLN_A)], { qos: 1 });

        const ledger = await connect(LEDGER);
        const deviceB = await connect('gw-b');
        const inboxB = new Inbox(deviceB);
        await deviceB.subscribeAsync(topics.deviceReceipts('gw-b'), { qos: 1 });
        await deviceB.publishAsync(topics.deviceEvents('gw-b'), 'event from B', { qos: 1 });
        await ledger.publishAsync(topics.deviceReceipts('gw-b'), 'receipt for B', { qos: 1 });
        await ledger.publishAsync(topics.siteAlerts(GLN_B), 'alert for B', { qos: 1 });
        await ledger.publishAsync(topics.deviceReceipts('gw-a'), 'receipt for A', { qos: 1 });
        await ledger.publishAsync(topics.siteAlerts(GLN_A), 'alert for A', { qos: 1 });

        await inboxB.waitFor(topics.deviceReceipts('gw-b'), 'receipt for B');
        await inboxA.waitFor(topics.siteAlerts(GLN_A), 'alert for A');
        await inboxA.waitFor(topics.deviceReceipts('gw-a'), 'receipt for A');
        await sleep(GRACE_MS);
        expect(inboxA.messages.map((m) => m.payload)).not.toContain('receipt for B');
        expect(inboxA.messages.map((m) => m.payload)).not.toContain('alert for B');
        expect(inboxA.messages.map((m) => m.payload)).not.toContain('event from B');
        // Through `#` Mosquitto also delivers the retained recalls and checkpoint, which A may read anyway.
        const own = [topics.deviceReceipts('gw-a'), topics.siteAlerts(GLN_A)];
        const readable = (t: string) => own.includes(t) || t === topics.checkpoint || t.startsWith(topics.recall(''));
        expect(inboxA.topics().filter((t) => !readable(t))).toEqual([]);
        expect(inboxA.topics()).toEqual(expect.arrayContaining(own));
      });
    });

    describe('when the ledger publishes', () => {
      it('it may publish every ledger topic, and each party receives what is its own', async () => {
        const deviceA = await connect('gw-a');
        const inboxA = new Inbox(deviceA);
        await deviceA.subscribeAsync(
          [topics.deviceReceipts('gw-a'), topics.siteAlerts(GLN_A), topics.allRecalls, topics.checkpoint],
          { qos: 1 },
        );
        const witness = await connect('witness-1');
        const inboxW = new Inbox(witness);
        await witness.subscribeAsync([topics.allRecalls, topics.checkpoint], { qos: 1 });
        const ledger = await connect(LEDGER);
        const sent: [string, string, IClientPublishOptions][] = [
          [topics.deviceReceipts('gw-a'), 'receipt 7', { qos: 1 }],
          [topics.siteAlerts(GLN_A), 'alert 7', { qos: 1 }],
          [topics.recall('R-7'), 'recall R-7', { qos: 1, retain: true }],
          [topics.checkpoint, 'checkpoint 7', { qos: 1, retain: true }],
        ];
        for (const [topic, payload, opts] of sent) {
          await ledger.publishAsync(topic, payload, opts);
          await inboxA.waitFor(topic, payload);
        }
        await inboxW.waitFor(topics.recall('R-7'), 'recall R-7');
        await inboxW.waitFor(topics.checkpoint, 'checkpoint 7');
        expect(ledger.connected).toBe(true);
      });

      it.skipIf(!traits.sharedSubscriptions)(
        'two ledger processes share the device events through $share/pedigree/…',
        async () => {
          const first = await connect(LEDGER, undefined, `${LEDGER}-1`);
          const second = await connect(LEDGER, undefined, `${LEDGER}-2`);
          const inboxes = [new Inbox(first), new Inbox(second)];
          await first.subscribeAsync(topics.sharedDeviceEvents, { qos: 1 });
          await second.subscribeAsync(topics.sharedDeviceEvents, { qos: 1 });
          const deviceA = await connect('gw-a');
          for (let i = 0; i < 10; i++) {
            await deviceA.publishAsync(topics.deviceEvents('gw-a'), `shared ${i}`, { qos: 1 });
          }
          const received = () => inboxes[0]!.messages.length + inboxes[1]!.messages.length;
          const deadline = Date.now() + 5_000;
          while (received() < 10 && Date.now() < deadline) await sleep(10);
          await sleep(GRACE_MS);
          const all = inboxes.flatMap((i) => i.messages.map((m) => m.payload)).sort();
          expect(all).toEqual(Array.from({ length: 10 }, (_, i) => `shared ${i}`).sort());
        },
      );
    });

    describe('when a connected device is revoked', () => {
      it('is disconnected and cannot connect again', async () => {
        const deviceC = await connect('gw-c');
        const closed = whenClosed(deviceC);
        await broker.revoke('gw-c');
        await closed;
        expect(await connectRefusal('gw-c', fixture.passwords.get('gw-c'))).toBe(traits.revokedCode);
      });
    });
  });
}

defineBrokerSuite(
  'the embedded broker (aedes)',
  {
    refusedPublish: 'closed',
    refusesSubscription: true,
    wrongPasswordCode: 4,
    revokedCode: 5,
    bindsClientIds: true,
    sharedSubscriptions: false,
  },
  async ({ ledger, accounts }) => {
    const denials: BrokerDenial[] = [];
    const broker = await startEmbeddedBroker({
      port: 0,
      ledger,
      lookupAccount: async (username): Promise<BrokerAccount | undefined> => accounts.get(username),
      onDenied: (d) => denials.push(d),
    });
    return {
      url: broker.url,
      async revoke(username) {
        const account = accounts.get(username)!;
        accounts.set(username, { ...account, active: false });
        expect(broker.disconnectClient(username)).toBe(1);
      },
      stop: () => broker.close(),
    };
  },
);

const mosquittoSkipReason = mosquittoBin === undefined ? ' (skipped: no mosquitto binary on PATH or in /usr/sbin)' : '';
describe.skipIf(mosquittoBin === undefined)(
  `Mosquitto with the shipped mosquitto.conf${mosquittoSkipReason}`,
  () => {
    defineBrokerSuite(
      `mosquitto (${mosquittoBin ?? 'absent'})`,
      {
        refusedPublish: 'acked',
        refusesSubscription: false,
        wrongPasswordCode: 5,
        revokedCode: 5,
        bindsClientIds: false,
        sharedSubscriptions: true,
      },
      async ({ ledger, accounts }) => {
        const dir = await mkdtemp(join(tmpdir(), 'pedigree-mosquitto-'));
        await writeMosquittoFiles(dir, [...accounts.values()], ledger);
        const mosquitto = await startMosquitto(dir, SHIPPED_CONF);
        return {
          url: mosquitto.url,
          async revoke(username) {
            const account = accounts.get(username)!;
            accounts.set(username, { ...account, active: false });
            // As the ledger's CLI would: rewrite the files, then SIGHUP.
            await writeMosquittoFiles(dir, [...accounts.values()], ledger);
            mosquitto.reload();
          },
          async stop() {
            await mosquitto.stop();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
    );
  },
);
