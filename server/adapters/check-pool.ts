// A pool of worker threads for envelope checks: signature verification, EPCIS validation and the event hash are
// CPU-bound and independent per message, so they run beside the main thread (which holds the store and the broker).
import { Worker } from 'node:worker_threads';
import { parseDeviceEventsTopic } from '../../schemas/topics.js';
import type { CheckEnvelopeResult } from '../domain/check-envelope.js';
import type { DeviceDirectory } from '../domain/ports.js';
import type { CheckRequest } from './check-worker.js';

export interface CheckPoolOptions {
  readonly workers: number;
  readonly devices: DeviceDirectory;
  readonly maxPayloadBytes: number;
  /** Used when no worker is alive (a worker failed to start or crashed). */
  readonly fallback: (topic: string, payload: Uint8Array) => Promise<CheckEnvelopeResult>;
  readonly onWorkerError?: (error: Error) => void;
}

interface Pending {
  resolve(r: CheckEnvelopeResult): void;
  reject(e: Error): void;
  payload: Uint8Array;
  worker: number;
}

export class CheckPool {
  readonly #o: CheckPoolOptions;
  readonly #workers: Worker[] = [];
  readonly #load: number[] = [];
  readonly #dead = new Set<number>();
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  constructor(options: CheckPoolOptions) {
    this.#o = options;
    // The entry registers tsx inside the thread: loader hooks of the main thread do not reach workers.
    const url = new URL('./check-worker-entry.mjs', import.meta.url);
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(url);
      worker.on('message', (m: { id: number; result?: CheckEnvelopeResult; error?: string }) => {
        const p = this.#pending.get(m.id);
        if (!p) return;
        this.#pending.delete(m.id);
        this.#load[p.worker]!--;
        if (m.error !== undefined) p.reject(new Error(m.error));
        else if (m.result!.ok) p.resolve({ ...m.result!, candidate: { ...m.result!.candidate, bytes: p.payload } } as CheckEnvelopeResult);
        else p.resolve(m.result!);
      });
      worker.on('error', (e) => {
        this.#dead.add(i);
        options.onWorkerError?.(e);
        for (const [id, p] of this.#pending) {
          if (p.worker === i) {
            this.#pending.delete(id);
            p.reject(e);
          }
        }
      });
      worker.unref();
      this.#workers.push(worker);
      this.#load.push(0);
    }
  }

  async check(topic: string, payload: Uint8Array): Promise<CheckEnvelopeResult> {
    const deviceId = parseDeviceEventsTopic(topic);
    const device = deviceId === undefined ? undefined : await this.#o.devices.findDevice(deviceId);
    let w = -1;
    for (let i = 0; i < this.#load.length; i++) if (!this.#dead.has(i) && (w < 0 || this.#load[i]! < this.#load[w]!)) w = i;
    if (w < 0) return this.#o.fallback(topic, payload);
    const id = this.#nextId++;
    this.#load[w]!++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, payload, worker: w });
      const req: CheckRequest = { id, topic, payload, device, maxPayloadBytes: this.#o.maxPayloadBytes };
      this.#workers[w]!.postMessage(req);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
