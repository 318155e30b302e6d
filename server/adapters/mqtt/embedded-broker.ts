// The embedded MQTT broker (aedes, MQTT 3.1.1): authenticates every client and enforces topic-acl.ts.
import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { generateMqttPassword, hashMqttPassword, verifyMqttPassword } from './mqtt-credentials.js';
import type { MqttAccount, MqttCredential } from './mqtt-credentials.js';
import { topicAcl, type Principal, type TopicAcl } from './topic-acl.js';

/** What the registry knows of a username; `undefined` when it knows none. */
export type BrokerAccount = Pick<MqttAccount, 'principal' | 'passwordHash' | 'active'>;

export interface BrokerDenial {
  readonly action: 'connect' | 'publish' | 'subscribe';
  readonly reason:
    | 'BAD_CREDENTIALS'
    | 'ACCOUNT_INACTIVE'
    | 'CLIENT_ID_MISMATCH'
    | 'ACCOUNT_MISCONFIGURED'
    | 'LOOKUP_FAILED'
    | 'TOPIC_NOT_ALLOWED'
    | 'SHARED_SUBSCRIPTION_UNSUPPORTED';
  readonly clientId: string;
  readonly username?: string;
  readonly topic?: string;
}

export interface EmbeddedBrokerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 1883; 0 binds any free port (see EmbeddedBroker.port). */
  readonly port?: number;
  /** The ledger server's own client. */
  readonly ledger: MqttCredential;
  /** Looks a username up in the device registry (and any observers). */
  readonly lookupAccount: (username: string) => Promise<BrokerAccount | undefined>;
  /** Called for every refused CONNECT, PUBLISH or SUBSCRIBE: a security event worth logging. */
  readonly onDenied?: (denial: BrokerDenial) => void;
}

export interface EmbeddedBroker {
  readonly host: string;
  /** The bound port (the chosen one when options.port was 0). */
  readonly port: number;
  /** `mqtt://host:port`. */
  readonly url: string;
  /** Closes every connection authenticated as `username` (on revocation); returns how many were closed. */
  disconnectClient(username: string): number;
  close(): Promise<void>;
}

interface Session {
  readonly username: string;
  readonly acl: TopicAcl;
}

// MQTT 3.1.1 §3.2.2.3 CONNACK return codes.
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 1883;
  const { ledger, lookupAccount } = options;
  const onDenied = options.onDenied ?? (() => {});

  const sessions = new WeakMap<Client, Session>();
  const byUsername = new Map<string, Set<Client>>();
  // Unknown usernames are checked against this so a refusal takes as long as a wrong password.
  const decoyHash = await hashMqttPassword(generateMqttPassword());

  async function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<{ principal: Principal } | { returnCode: number; reason: BrokerDenial['reason'] }> {
    // Attacker-controlled: username, password and client id all come from the CONNECT packet.
    if (username === undefined || password === undefined) {
      await verifyMqttPassword('', decoyHash);
      return { returnCode: BAD_USERNAME_OR_PASSWORD, reason: 'BAD_CREDENTIALS' };
    }
    let account: BrokerAccount | undefined;
    if (username === ledger.username) {
      account = { principal: { kind: 'ledger' }, passwordHash: ledger.passwordHash, active: true };
    } else {
      try {
        account = await lookupAccount(username);
      } catch {
        return { returnCode: SERVER_UNAVAILABLE, reason: 'LOOKUP_FAILED' };
      }
    }
    const passwordOk = await verifyMqttPassword(password, account?.passwordHash ?? decoyHash);
    if (account === undefined || !passwordOk) {
      return { returnCode: BAD_USERNAME_OR_PASSWORD, reason: 'BAD_CREDENTIALS' };
    }
    if (!account.active) return { returnCode: NOT_AUTHORIZED, reason: 'ACCOUNT_INACTIVE' };
    const { principal } = account;
    // The ACL substitutes the username for the device (Mosquitto's `%u`), so they must be the same name.
    if (principal.kind === 'device' && principal.device !== username) {
      return { returnCode: NOT_AUTHORIZED, reason: 'ACCOUNT_MISCONFIGURED' };
    }
    // A client id belongs to one session: a device reusing another client's id would take that session over
    // and disconnect it (MQTT-3.1.4-2). Devices and observers must connect under their own name; the ledger,
    // trusted, may run several processes with ids of its choosing.
    if (principal.kind !== 'ledger' && client.id !== username) {
      return { returnCode: IDENTIFIER_REJECTED, reason: 'CLIENT_ID_MISMATCH' };
    }
    return { principal };
  }

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      authenticate(client, username, password).then(
        (outcome) => {
          if ('principal' in outcome) {
            const name = username ?? '';
            sessions.set(client, { username: name, acl: topicAcl(outcome.principal) });
            const clients = byUsername.get(name) ?? new Set<Client>();
            for (const c of clients) if (c.closed) clients.delete(c);
            byUsername.set(name, clients.add(client));
            done(null, true);
            return;
          }
          onDenied({ action: 'connect', reason: outcome.reason, clientId: client.id, username });
          const error = new Error(outcome.reason) as AuthenticateError;
          error.returnCode = outcome.returnCode;
          done(error, false);
        },
        () => done(Object.assign(new Error('LOOKUP_FAILED'), { returnCode: SERVER_UNAVAILABLE }), false),
      );
    },
    authorizePublish(client, packet, done) {
      // `client` is null for a will left by a previous run: nobody to attribute it to, so it is refused.
      const session = client ? sessions.get(client) : undefined;
      if (session?.acl.canPublish(packet.topic)) return done(null);
      onDenied({
        action: 'publish',
        reason: 'TOPIC_NOT_ALLOWED',
        clientId: client?.id ?? '',
        username: session?.username,
        topic: packet.topic,
      });
      // MQTT-3.3.5-2 lets a server refuse silently or close the connection; aedes closes it on an error.
      done(new Error(`publish to ${JSON.stringify(packet.topic)} is not allowed`));
    },
    authorizeSubscribe(client, subscription, done) {
      const session = sessions.get(client);
      // aedes has no shared subscriptions: it would take `$share/…` as a literal filter that never matches, so
      // the ledger is told (SUBACK failure) rather than left waiting; here it subscribes topics.allDeviceEvents.
      const shared = subscription.topic.startsWith('$share/');
      if (!shared && session?.acl.canSubscribe(subscription.topic)) return done(null, subscription);
      onDenied({
        action: 'subscribe',
        reason: shared ? 'SHARED_SUBSCRIPTION_UNSUPPORTED' : 'TOPIC_NOT_ALLOWED',
        clientId: client.id,
        username: session?.username,
        topic: subscription.topic,
      });
      // A null subscription is a failure in the SUBACK (0x80, MQTT 3.1.1 §3.9.3); the other filters stand.
      done(null, null);
    },
    authorizeForward(client, packet) {
      // Checked again at delivery, also for retained and queued messages, as Mosquitto checks `read` access.
      return sessions.get(client)?.acl.canReceive(packet.topic) ? packet : null;
    },
  });

  const server: Server = createServer((socket) => broker.handle(socket));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(requestedPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (cause) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'is already in use' : `cannot be listened on (${code ?? String(cause)})`;
    throw new Error(`MQTT broker: port ${requestedPort} on ${host} ${why}`, { cause });
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : requestedPort;

  broker.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    if (session) byUsername.get(session.username)?.delete(client);
  });

  return {
    host,
    port,
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    disconnectClient(username) {
      const clients = byUsername.get(username);
      byUsername.delete(username);
      let closed = 0;
      for (const client of clients ?? []) {
        if (!client.closed) closed += 1;
        client.close();
      }
      return closed;
    },
    async close() {
      // Stop accepting first; aedes.close() then ends every open connection, which lets server.close finish.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await serverClosed;
    },
  };
}
