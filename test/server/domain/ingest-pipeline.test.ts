// The ingest pipeline's batch cycle (ingest-pipeline.ts) against the SQL store on PGlite: receipts only after the
// commit, an append that fails without committing is tried again instead of leaving the gateways to resend, and
// an entry the store refuses for its data is found and rejected instead of failing its whole batch on every resend.
import { createHash } from 'node:crypto';
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

function candidateCheck(device: string, eventTimeOf: (seq: number) => string | null = () => null) {
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
        eventId: `ni:///sha-256;${createHash('sha256').update(`${device}/${seq}`).digest('hex')}?ver=CBV2.0`,
        eventTime: eventTimeOf(seq),
        event: { seq },
        identifiers: [],
      },
    } as unknown as CheckEnvelopeResult;
  };
}

/** An IngestPipeline with the test defaults (no device directory: `check` stands in for the envelope checks). */
function testPipeline(o: { store: LedgerStore; notifier: unknown; check: ReturnType<typeof candidateCheck>; batchMax: number; batchWaitMs: number; onError?: (e: unknown, context: string) => void }) {
  return new IngestPipeline({
    signer: createLedgerSigner({ origin: 'test.example/log', secretKey: generateKeyPair().secretKey }),
    maxPayloadBytes: 65536,
    devices: { findDevice: async () => undefined },
    keyObject: (k: { publicKey: Uint8Array }) => k.publicKey,
    ...o,
  } as never);
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
    const pipeline = testPipeline({
      store,
      notifier: {
        sendReceipts: async (r: readonly { device: string; receipt: Receipt }[]) => {
          // Receipts go out only for what the store holds.
          expect(await base.treeSize()).toBeGreaterThanOrEqual(r.filter((x) => x.receipt.status === 'accepted').length);
          sent.push(...r.map((x) => x.receipt));
        },
        publishCheckpoint: async () => undefined,
      },
      batchMax: 100,
      batchWaitMs: 1,
      check: candidateCheck('gw-retry'),
      onError: (_e: unknown, context: string) => errors.push(context),
    });
    for (let seq = 1; seq <= 5; seq++) pipeline.accept('pedigree/v1/devices/gw-retry/events', new TextEncoder().encode(String(seq)));
    await pipeline.drain();
    expect(sent.map((r) => [r.seq, r.status])).toEqual([1, 2, 3, 4, 5].map((s) => [s, 'accepted']));
    expect(await base.treeSize()).toBe(5);
    expect(errors).toEqual([expect.stringContaining('attempt 1 of 3')]);
  });
});

describe('when the store refuses entries of a batch for their data', () => {
  // Year 0000 gets past the checks here (they are faked): timestamptz refuses it, SQLSTATE 22008.
  function refusingPipeline(device: string, refusedSeqs: readonly number[]) {
    const store = createSqlLedgerStore(sql);
    const sent: Receipt[] = [];
    const errors: string[] = [];
    const pipeline = testPipeline({
      store,
      notifier: { sendReceipts: async (r: readonly { receipt: Receipt }[]) => void sent.push(...r.map((x) => x.receipt)), publishCheckpoint: async () => undefined },
      batchMax: 100,
      batchWaitMs: 20,
      check: candidateCheck(device, (seq) => (refusedSeqs.includes(seq) ? '0000-01-01T00:00:00.000Z' : '2026-11-24T10:00:00.000Z')),
      onError: (_e: unknown, context: string) => errors.push(context),
    });
    const accept = (seqs: readonly number[]) => {
      for (const seq of seqs) pipeline.accept(`pedigree/v1/devices/${device}/events`, new TextEncoder().encode(String(seq)));
      return pipeline.drain();
    };
    return { store, sent, errors, accept };
  }

  it('appends the others, rejects the one at fault with EPCIS_INVALID and records why', async () => {
    const { store, sent, errors, accept } = refusingPipeline('gw-refused', [6]);
    const before = await store.treeSize();
    await accept([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sent.map((r) => [r.seq, r.status, r.code]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => (s === 6 ? [s, 'rejected', 'EPCIS_INVALID'] : [s, 'accepted', undefined])),
    );
    expect(await store.treeSize()).toBe(before + 8);
    expect(errors).toEqual([expect.stringContaining('the store refused gw-refused seq 6')]);
    const [rejection] = await store.listRejections({ device: 'gw-refused', limit: 10 });
    expect(rejection).toMatchObject({ seq: 6, code: 'EPCIS_INVALID', detail: expect.stringContaining('the store refused the event') });
  });

  it('rejects nothing when the store refuses every entry: the fault is the store\'s, and the gateways resend', async () => {
    const { store, sent, errors, accept } = refusingPipeline('gw-refused-all', [1, 2, 3]);
    const before = await store.treeSize();
    await accept([1, 2, 3]);
    expect(sent).toEqual([]);
    expect(await store.treeSize()).toBe(before);
    expect(await store.listRejections({ device: 'gw-refused-all', limit: 10 })).toEqual([]);
    expect(errors).toEqual(['append']);
  });
});
