// Worker thread: runs the CPU-heavy envelope checks (signature, schema, event hash) off the ledger's main thread.
import { parentPort } from 'node:worker_threads';
import { Ed25519KeyCache } from '../../schemas/signing/verify-envelope.js';
import { checkEnvelopeOf } from '../domain/check-envelope.js';
import type { DeviceRecord } from '../domain/ports.js';

export interface CheckRequest {
  readonly id: number;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly device: DeviceRecord | undefined;
  readonly maxPayloadBytes: number;
}

const keys = new Ed25519KeyCache();

parentPort?.on('message', (req: CheckRequest) => {
  let result;
  try {
    result = checkEnvelopeOf(req.topic, req.payload, req.device, {
      maxPayloadBytes: req.maxPayloadBytes,
      keyObject: (k) => {
        const r = keys.get(k.publicKey);
        return r.ok ? r.value : k.publicKey;
      },
    });
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: (e as Error).message });
    return;
  }
  // The main thread still holds the payload: do not copy the bytes (or the device record) back.
  if (result.ok) {
    const { bytes: _bytes, ...candidate } = result.candidate;
    parentPort!.postMessage({ id: req.id, result: { ok: true, envelope: { device: result.envelope.device, seq: result.envelope.seq }, candidate } });
  } else {
    parentPort!.postMessage({ id: req.id, result });
  }
});
