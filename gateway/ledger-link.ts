// The gateway's MQTT link to the ledger: drains the outbox in seq order at QoS 1 with a bounded in-flight window,
// removes an envelope only on the ledger's signed receipt, and passes verified recalls, alerts and checkpoints on.
//
// Delivery (DESIGN.md §4): the receipt, not the broker's PUBACK, is the acknowledgement. An envelope stays in the
// window until its receipt comes; the window is published again after every reconnect (the broker may have lost
// it: Aedes keeps nothing across a restart) and any envelope whose receipt is late is published again. The ledger
// answers repeats with `duplicate`, so at-least-once publishing gives exactly-once entries.
//
// Each connection is a fresh MQTT client (reconnectPeriod 0, reconnects done here): MQTT.js would otherwise
// replay its own store of unacknowledged packets on reconnect, interleaved with ours, and the order per device
// that a draining outbox should keep would be lost. At most maxInFlight envelopes are ever outstanding, so a
// gateway coming back after a long outage does not flood the broker.
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { TOPIC_QOS, topics, type Receipt } from '../schemas/topics.js';
import { readLedgerMessage, type LedgerInbound, type LedgerTrust } from './ledger-messages.js';
import type { Outbox } from './outbox.js';

export type LinkState = 'connecting' | 'online' | 'offline' | 'stopped';

export interface RejectedEnvelope {
  readonly seq: number;
  readonly code: string;
  readonly eventID?: string;
  readonly envelope?: string;
}

export interface LedgerLinkOptions {
  readonly url: string;
  readonly device: string;
  readonly username: string;
  readonly password: string;
  /** The GLN whose alerts topic this device may read (its location's party). */
  readonly siteGln: string;
  readonly outbox: Outbox;
  readonly trust: LedgerTrust;
  readonly maxInFlight: number;
  readonly receiptTimeoutMs: number;
  readonly logger: Logger;
  /** Called (synchronously, before the envelope leaves the outbox) for every rejected envelope. */
  readonly onRejected: (rejected: RejectedEnvelope) => void;
  /** Verified recalls, alerts and checkpoints. */
  readonly onInbound?: (message: LedgerInbound) => void;
  readonly onStateChange?: (state: LinkState) => void;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  readonly connectTimeoutMs?: number;
}

interface InFlight {
  readonly seq: number;
  readonly payload: Buffer;
  sentAt: number;
}

export interface LinkCounters {
  published: number;
  republished: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  forged: number;
}

export interface LastReceipt {
  readonly seq: number;
  readonly status: Receipt['status'];
  readonly code?: string;
  readonly at: Date;
}

const EVENT_ID_KEY = Buffer.from('"eventID":"');

function eventIdOf(payload: Buffer): string | undefined {
  // Fast path for the envelopes this gateway writes (envelope-signer.ts: `{"v":1,"device":…,"seq":…,"event":{"type":…,
  // "eventID":"ni:///sha-256;…"`): the first "eventID" key is the event's, and a CBV hash ID has no quote or escape.
  // Receipts come by the thousand while an outbox drains; parsing each envelope to compare was most of their cost.
  const at = payload.indexOf(EVENT_ID_KEY);
  if (at > 0 && payload.lastIndexOf('"event":{', at) > 0) {
    const from = at + EVENT_ID_KEY.length;
    const to = payload.indexOf(0x22, from);
    const id = to > from ? payload.toString('latin1', from, to) : '';
    if (id.startsWith('ni:///') && !id.includes('\\')) return id;
  }
  try {
    const envelope = JSON.parse(payload.toString('utf8')) as { event?: { eventID?: unknown } };
    return typeof envelope.event?.eventID === 'string' ? envelope.event.eventID : undefined;
  } catch {
    return undefined;
  }
}

export class LedgerLink {
  readonly #o: LedgerLinkOptions;
  readonly #window = new Map<number, InFlight>();
  readonly counters: LinkCounters = { published: 0, republished: 0, accepted: 0, duplicate: 0, rejected: 0, forged: 0 };
  #lastReceipt: LastReceipt | undefined;
  #client: MqttClient | undefined;
  #generation = 0;
  #state: LinkState = 'stopped';
  #reconnectDelay: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #timeoutTimer: NodeJS.Timeout | undefined;
  #pumping = false;
  #pumpAgain = false;
  #pumpScheduled = false;
  #unsubscribeDurable: (() => void) | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(options: LedgerLinkOptions) {
    this.#o = options;
    this.#reconnectDelay = options.reconnectMinMs ?? 500;
  }

  get state(): LinkState {
    return this.#state;
  }

  get inFlight(): number {
    return this.#window.size;
  }

  get lastReceipt(): LastReceipt | undefined {
    return this.#lastReceipt;
  }

  start(): void {
    if (this.#state !== 'stopped') return;
    this.#unsubscribeDurable = this.#o.outbox.onDurable(() => this.#schedulePump());
    this.#timeoutTimer = setInterval(() => this.#republishLate(), Math.min(1000, this.#o.receiptTimeoutMs));
    this.#timeoutTimer.unref();
    this.#connect();
  }

  #setState(state: LinkState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#o.onStateChange?.(state);
  }

  #connect(): void {
    const generation = ++this.#generation;
    this.#setState('connecting');
    const client = mqtt.connect(this.#o.url, {
      clientId: this.#o.device, // the broker requires client id = username for devices
      username: this.#o.username,
      password: this.#o.password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: this.#o.connectTimeoutMs ?? 10_000,
      keepalive: 30,
      protocolVersion: 4,
      resubscribe: false,
      // mqtt-packet otherwise pre-builds 65,536 two-byte Buffers for packet ids on first use: 6 MB of heap on a box
      // whose whole budget is 80 MB (bench/RESULTS.md, gateway).
      writeCache: false,
      // Its debug() logging, off or not, is called several times per publish: a few percent of a drain's CPU.
      log: () => {},
    });
    this.#client = client;
    const current = () => generation === this.#generation && this.#client === client;
    client.on('connect', () => {
      if (!current()) return;
      void this.#onConnected(client, current);
    });
    client.on('message', (topic, payload) => {
      if (current()) this.#onMessage(topic, payload);
    });
    client.on('error', (e) => {
      if (current()) this.#o.logger.warn({ err: e.message }, 'MQTT error');
    });
    client.on('close', () => this.#onClosed(client, current));
  }

  /** The connection is gone (or never came): drop the client and try again after a growing delay. Idempotent. */
  #onClosed(client: MqttClient, current: () => boolean): void {
    if (!current()) return;
    this.#client = undefined;
    client.removeAllListeners();
    client.on('error', () => {});
    client.end(true);
    this.#setState('offline');
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#state !== 'stopped') this.#connect();
    }, this.#reconnectDelay);
    this.#reconnectDelay = Math.min(this.#reconnectDelay * 2, this.#o.reconnectMaxMs ?? 10_000);
  }

  async #onConnected(client: MqttClient, current: () => boolean): Promise<void> {
    const filters = [
      topics.deviceReceipts(this.#o.device),
      topics.siteAlerts(this.#o.siteGln),
      topics.allRecalls,
      topics.checkpoint,
    ];
    try {
      // Receipts published before SUBACK would be lost (clean session): subscribe first, then publish.
      const granted = await client.subscribeAsync(filters, { qos: TOPIC_QOS });
      for (const g of granted) {
        if (g.qos === 128) this.#o.logger.warn({ topic: g.topic }, 'the broker refused a subscription');
      }
    } catch (e) {
      if (current()) this.#o.logger.warn({ err: (e as Error).message }, 'subscribing failed; reconnecting');
      this.#onClosed(client, current);
      return;
    }
    if (!current()) return;
    this.#reconnectDelay = this.#o.reconnectMinMs ?? 500;
    this.#setState('online');
    this.#o.logger.info({ url: this.#o.url, inFlight: this.#window.size, pending: this.#o.outbox.pending }, 'connected to the ledger broker');
    // Everything still unreceipted goes again, in seq order (Map order is the order records were read).
    for (const entry of this.#window.values()) this.#publish(entry, true);
    this.#schedulePump();
  }

  #publish(entry: InFlight, again: boolean): void {
    const client = this.#client;
    if (!client || this.#state !== 'online') return;
    entry.sentAt = Date.now();
    if (again) this.counters.republished += 1;
    else this.counters.published += 1;
    client.publish(topics.deviceEvents(this.#o.device), entry.payload, { qos: TOPIC_QOS }, () => {
      // PUBACK (or a closed connection): either way the receipt decides.
    });
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        while (this.#state === 'online' && this.#window.size < this.#o.maxInFlight) {
          const records = await this.#o.outbox.readNext(this.#o.maxInFlight - this.#window.size);
          if (records.length === 0) break;
          for (const record of records) {
            const entry: InFlight = { seq: record.seq, payload: record.payload, sentAt: 0 };
            this.#window.set(record.seq, entry);
            this.#publish(entry, false);
          }
        }
      } while (this.#pumpAgain);
    } catch (e) {
      this.#o.logger.error({ err: (e as Error).message }, 'reading the outbox failed');
    } finally {
      this.#pumping = false;
    }
    this.#notifyIdle();
  }

  /** Publishes again whatever has waited longer than receiptTimeoutMs for its receipt. */
  #republishLate(): void {
    if (this.#state !== 'online') return;
    const late = Date.now() - this.#o.receiptTimeoutMs;
    for (const entry of this.#window.values()) if (entry.sentAt < late) this.#publish(entry, true);
  }

  #onMessage(topic: string, payload: Buffer): void {
    const read = readLedgerMessage(topic, payload, { trust: this.#o.trust, device: this.#o.device, siteGln: this.#o.siteGln });
    if (!read.ok) {
      this.counters.forged += 1;
      // Logged and ignored: a forged receipt must not empty the outbox, a forged recall must not stop dispensing.
      this.#o.logger.warn({ topic, code: read.code, reason: read.message }, 'ignored a ledger message that does not verify');
      return;
    }
    const message = read.value;
    if (message.kind === 'receipts') for (const receipt of message.receipts) this.#onReceipt(receipt);
    else this.#o.onInbound?.(message);
  }

  #onReceipt(receipt: Receipt): void {
    const entry = this.#window.get(receipt.seq);
    if (receipt.status === 'rejected') {
      this.#o.onRejected({
        seq: receipt.seq,
        code: receipt.code ?? 'UNKNOWN',
        ...(receipt.eventID !== undefined ? { eventID: receipt.eventID } : {}),
        ...(entry ? { envelope: entry.payload.toString('utf8') } : {}),
      });
      this.counters.rejected += 1;
    } else {
      if (entry && receipt.eventID !== undefined && eventIdOf(entry.payload) !== receipt.eventID) {
        // The ledger holds another event under our seq: ours is not in the log. Never drop it silently.
        this.#o.logger.error({ seq: receipt.seq, receiptEventID: receipt.eventID }, 'receipt names another event for this seq');
        this.#o.onRejected({ seq: receipt.seq, code: 'RECEIPT_EVENT_MISMATCH', eventID: receipt.eventID, envelope: entry.payload.toString('utf8') });
        this.counters.rejected += 1;
      } else if (receipt.status === 'accepted') this.counters.accepted += 1;
      else this.counters.duplicate += 1;
    }
    this.#lastReceipt = { seq: receipt.seq, status: receipt.status, ...(receipt.code ? { code: receipt.code } : {}), at: new Date() };
    this.#window.delete(receipt.seq);
    this.#o.outbox.ack(receipt.seq);
    this.#schedulePump();
  }

  /**
   * Publishes one message of the gateway's own (a recall acknowledgement) at QoS 1: resolves on PUBACK, rejects when
   * the link is not online or the broker refuses it. Not queued: the caller retries on the next connection.
   */
  publishMessage(topic: string, payload: string): Promise<void> {
    const client = this.#client;
    if (!client || this.#state !== 'online') return Promise.reject(new Error('the ledger link is not online'));
    return new Promise((resolve, reject) => client.publish(topic, payload, { qos: TOPIC_QOS }, (e) => (e ? reject(e) : resolve())));
  }

  /** Resolves once the outbox is empty and nothing is in flight (tests, orderly shutdown). */
  whenDrained(): Promise<void> {
    if (this.#drained()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #drained(): boolean {
    return this.#window.size === 0 && this.#o.outbox.pending === 0 && this.#o.outbox.queued === 0;
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#drained()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  async stop(): Promise<void> {
    this.#setState('stopped');
    this.#generation += 1;
    this.#unsubscribeDurable?.();
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#timeoutTimer) clearInterval(this.#timeoutTimer);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => {});
      await client.endAsync().catch(() => undefined);
    }
  }
}
