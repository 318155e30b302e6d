// Worker thread: runs the CPU-heavy envelope checks (signature, schema, event hash) off the ledger's main thread.
// Takes a batch of requests per message and answers with one batch (see check-pool.ts).
import { parentPort } from 'node:worker_threads';
import { Ed25519KeyCache } from '../../schemas/signing/verify-envelope.js';
import { checkEnvelopeOf, type CheckEnvelopeResult } from '../domain/check-envelope.js';
import type { DeviceRecord } from '../domain/ports.js';

export interface CheckRequest {
  readonly id: number;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly device: DeviceRecord | undefined;
  readonly maxPayloadBytes: number;
  readonly readNamed: boolean;
}

/** The answer to one request; an accepted candidate comes back without its bytes (the main thread holds them). */
export interface CheckAnswer {
  readonly id: number;
  readonly result?: CheckEnvelopeResult;
  readonly error?: string;
}

const keys = new Ed25519KeyCache();

function checkOne(req: CheckRequest): CheckAnswer {
  try {
    const result = checkEnvelopeOf(req.topic, req.payload, req.device, {
      maxPayloadBytes: req.maxPayloadBytes,
      readNamed: req.readNamed,
      keyObject: (k) => {
        const r = keys.get(k.publicKey);
        return r.ok ? r.value : k.publicKey;
      },
    });
    if (!result.ok) return { id: req.id, result };
    // Do not copy the bytes (or the device record) back.
    const { bytes: _bytes, ...candidate } = result.candidate;
    return { id: req.id, result: { ok: true, envelope: { device: result.envelope.device, seq: result.envelope.seq }, candidate } as unknown as CheckEnvelopeResult };
  } catch (e) {
    return { id: req.id, error: (e as Error).message };
  }
}

parentPort?.on('message', (batch: readonly CheckRequest[]) => {
  parentPort!.postMessage(batch.map(checkOne));
});
