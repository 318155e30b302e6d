// Acknowledges each verified recall notice once to the ledger (DESIGN.md §8: "sites acknowledge … or a gateway
// message"): a message signed with the device key for its own recall-acks topic (schemas/signing/device-message.ts).
//
// The recall ids acknowledged are kept in `recall-acks.json`, written only after the broker took the message (PUBACK),
// so a restart does not send them again; the notices are retained, so one not yet acknowledged (offline, a failed
// publish) comes back on the next connection and is acknowledged then. A repeat is harmless: the ledger records a
// site's first acknowledgement and keeps it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { signDeviceMessage } from '../schemas/signing/device-message.js';
import { topics } from '../schemas/topics.js';
import { writeFileAtomicSync } from './atomic-file.js';

export interface RecallAcksOptions {
  readonly dataDir: string;
  readonly device: string;
  readonly secretKey: Uint8Array;
  /** Publishes at QoS 1; resolves on PUBACK, rejects when offline or refused. */
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly logger: Logger;
  readonly clock?: () => Date;
  readonly fsync?: boolean;
  /** Most recall ids remembered (oldest forgotten first; a forgotten one is at worst acknowledged again). */
  readonly maxRemembered?: number;
  /** A publish without PUBACK by then counts as failed (the connection went away under it). Default 10 s. */
  readonly timeoutMs?: number;
}

const FILE = 'recall-acks.json';

export class RecallAcks {
  readonly #o: RecallAcksOptions;
  readonly #acked: Set<string>;
  readonly #sending = new Set<string>();

  constructor(options: RecallAcksOptions) {
    this.#o = options;
    this.#acked = new Set(readAcked(options.dataDir));
  }

  /** Whether this gateway's acknowledgement of the recall reached the broker (now or before a restart). */
  has(recallId: string): boolean {
    return this.#acked.has(recallId);
  }

  get count(): number {
    return this.#acked.size;
  }

  /** Sends the acknowledgement of a verified, open recall notice unless it was sent before. Never throws. */
  async acknowledge(recallId: string): Promise<boolean> {
    if (this.#acked.has(recallId) || this.#sending.has(recallId)) return false;
    this.#sending.add(recallId);
    try {
      const topic = topics.deviceRecallAcks(this.#o.device);
      const ackedAt = (this.#o.clock?.() ?? new Date()).toISOString();
      const message = signDeviceMessage('recall-ack', { recallId, ackedAt }, this.#o.secretKey, topic);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no PUBACK in time')), this.#o.timeoutMs ?? 10_000);
        timer.unref();
      });
      try {
        await Promise.race([this.#o.publish(topic, JSON.stringify(message)), timeout]);
      } finally {
        clearTimeout(timer);
      }
      this.#acked.add(recallId);
      const max = this.#o.maxRemembered ?? 10_000;
      while (this.#acked.size > max) this.#acked.delete(this.#acked.values().next().value!);
      writeFileAtomicSync(join(this.#o.dataDir, FILE), JSON.stringify([...this.#acked]), { fsync: this.#o.fsync ?? true, mode: 0o600 });
      this.#o.logger.info({ recall: recallId }, 'recall acknowledged to the ledger');
      return true;
    } catch (e) {
      // Not remembered: the retained notice comes again on the next connection, and the acknowledgement with it.
      this.#o.logger.warn({ recall: recallId, err: (e as Error).message }, 'recall acknowledgement not sent; will retry on reconnect');
      return false;
    } finally {
      this.#sending.delete(recallId);
    }
  }
}

function readAcked(dir: string): string[] {
  try {
    const ids = JSON.parse(readFileSync(join(dir, FILE), 'utf8')) as unknown;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
