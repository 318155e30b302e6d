// The ingest pipeline's batch cycle (ingest-pipeline.ts) against the SQL store on PGlite: receipts only after the
// commit, and an append that fails without committing is tried again instead of leaving the gateways to resend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient, type SqlClient } from '../../../server/adapters/db/sql-client.js';
import { createSqlLedgerStore } from '../../../server/adapters/db/ledger-store.js';
import { createLedgerSigner } from '../../../server/adapters/ledger-signer.js';
import { IngestPipeline } from '../../../server/domain/ingest-pipeline.js';
import type { CheckEnvelopeResult } from '../../../server/domain/check-envelope.js';
import type { LedgerStore } from '../../../server/domain/ports.js';
import type { Receipt } from '../../../schemas/topics.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';

let sql: SqlClient;
beforeAll(async () => {
  sql = await openSqlClient({ dataDir: 'memory://' });
});
afterAll(async () => sql?.close());

function candidateCheck(device: string) {
  return async (_topic: string, payload: Uint8Array): Promise<CheckEnvelopeResult> => {
    const seq = Number(new TextDecoder().decode(payload));
    return {
      ok: true,
      envelope: { device, seq },
      candidate: {
        kind: 'device',
        bytes: payload,
        device,
        seq,
        eventId: `ni:///sha-256;${seq.toString(16).padStart(64, '0')}?ver=CBV2.0`,
        eventTime: null,
        event: { seq },
        identifiers: [],
      },
    } as unknown as CheckEnvelopeResult;
  };
}

describe('when an append fails before it commits', () => {
  it('tries the batch again and answers every event with an accepted receipt, after the commit', async () => {
    const base = createSqlLedgerStore(sql);
    let failures = 1;
    const store: LedgerStore = {
      ...base,
      append: (fn) => (failures-- > 0 ? Promise.reject(new Error('connection terminated unexpectedly')) : base.append(fn)),
    };
    const sent: Receipt[] = [];
    const errors: string[] = [];
    const pipeline = new IngestPipeline({
      store,
      signer: createLedgerSigner({ origin: 'test.example/log', secretKey: generateKeyPair().secretKey }),
      notifier: {
        sendReceipts: async (r: readonly { device: string; receipt: Receipt }[]) => {
          // Receipts go out only for what the store holds.
          expect(await base.treeSize()).toBeGreaterThanOrEqual(r.filter((x) => x.receipt.status === 'accepted').length);
          sent.push(...r.map((x) => x.receipt));
        },
        publishCheckpoint: async () => undefined,
      } as never,
      batchMax: 100,
      batchWaitMs: 1,
      maxPayloadBytes: 65536,
      devices: { findDevice: async () => undefined },
      keyObject: (k: { publicKey: Uint8Array }) => k.publicKey,
      check: candidateCheck('gw-retry'),
      onError: (_e: unknown, context: string) => errors.push(context),
    } as never);
    for (let seq = 1; seq <= 5; seq++) pipeline.accept('pedigree/v1/devices/gw-retry/events', new TextEncoder().encode(String(seq)));
    await pipeline.drain();
    expect(sent.map((r) => [r.seq, r.status])).toEqual([1, 2, 3, 4, 5].map((s) => [s, 'accepted']));
    expect(await base.treeSize()).toBe(5);
    expect(errors).toEqual([expect.stringContaining('attempt 1 of 3')]);
  });
});
