// A pool of worker threads for envelope checks: signature verification, EPCIS validation and the event hash are
// CPU-bound and independent per message, so they run beside the main thread (which holds the store and the broker).
// Requests and answers cross the thread boundary in batches (one postMessage per worker per turn of the event
// loop): at thousands of messages/s one postMessage each cost the main thread more than the checks saved it.
import { Worker } from 'node:worker_threads';
import { parseDeviceEventsTopic } from '../../schemas/topics.js';
import type { CheckEnvelopeResult } from '../domain/check-envelope.js';
import type { DeviceDirectory } from '../domain/ports.js';
import type { CheckAnswer, CheckRequest } from './check-worker.js';

export interface CheckPoolOptions {
  readonly workers: number;
  readonly devices: DeviceDirectory;
  readonly maxPayloadBytes: number;
  /** Candidates carry the identifiers as the custody rules read them (when the rules are on). */
  readonly readNamed: boolean;
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
  readonly #outgoing: CheckRequest[][] = [];
  readonly #dead = new Set<number>();
  readonly #pending = new Map<number, Pending>();
  #flushScheduled = false;
  #nextId = 0;

  constructor(options: CheckPoolOptions) {
    this.#o = options;
    // The entry registers tsx inside the thread: loader hooks of the main thread do not reach workers.
    const url = new URL('./check-worker-entry.mjs', import.meta.url);
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(url);
      worker.on('message', (answers: readonly CheckAnswer[]) => {
        for (const m of answers) this.#answer(m);
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
      this.#outgoing.push([]);
    }
  }

  #answer(m: CheckAnswer): void {
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    this.#load[p.worker]!--;
    if (m.error !== undefined) p.reject(new Error(m.error));
    else if (m.result!.ok) p.resolve({ ...m.result!, candidate: { ...m.result!.candidate, bytes: p.payload } } as CheckEnvelopeResult);
    else p.resolve(m.result!);
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
      // Structured clone copies a view's whole ArrayBuffer: an MQTT payload is often a view into a 64 KiB socket
      // chunk, so send a compact copy of just its bytes.
      const bytes = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload : new Uint8Array(payload);
      this.#outgoing[w]!.push({ id, topic, payload: bytes, device, maxPayloadBytes: this.#o.maxPayloadBytes, readNamed: this.#o.readNamed });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (let w = 0; w < this.#workers.length; w++) {
      const batch = this.#outgoing[w]!;
      if (batch.length === 0) continue;
      this.#outgoing[w] = [];
      if (this.#dead.has(w)) {
        for (const r of batch) {
          const p = this.#pending.get(r.id);
          if (!p) continue;
          this.#pending.delete(r.id);
          this.#o.fallback(r.topic, r.payload).then(p.resolve, p.reject);
        }
        continue;
      }
      this.#workers[w]!.postMessage(batch);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
