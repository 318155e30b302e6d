// The entries' GIN index (the EPCIS query copy) keeps new keys in a pending list; the sweeper merges it from its own
// connection so that the log's writer does not, inside an append (gin-pending-sweeper.ts, migration 0006).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlLedgerStore } from '../../../../server/adapters/db/ledger-store.js';
import { startGinPendingSweeper } from '../../../../server/adapters/db/gin-pending-sweeper.js';
import { createLedgerSigner } from '../../../../server/adapters/ledger-signer.js';
import { appendEntries } from '../../../../server/domain/append-entries.js';
import type { CandidateEntry } from '../../../../server/domain/ports.js';
import { generateKeyPair } from '../../../../schemas/signing/keys.js';
import { testStores } from '../../../harness/databases.js';

const signer = createLedgerSigner({ origin: 'test.example/log', secretKey: generateKeyPair().secretKey });

function candidates(from: number, n: number): CandidateEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const seq = from + i;
    const event = { type: 'ObjectEvent', action: 'OBSERVE', epcList: [`https://id.gs1.org/01/09506000134352/21/S${seq}`], bizStep: 'inspecting' };
    const text = JSON.stringify({ device: 'gw-sweep', event, seq, sig: 'x', v: 1 });
    return { kind: 'device', bytes: new TextEncoder().encode(text), device: 'gw-sweep', seq, eventId: `urn:uuid:sweep-${seq}`, eventTime: null, event, identifiers: [] };
  });
}

for (const target of testStores) {
  describe(`the entries index on ${target.name}`, () => {
    let opened: Awaited<ReturnType<typeof target.open>>;
    beforeAll(async () => {
      opened = await target.open();
    });
    afterAll(async () => opened?.drop());

    it('leaves its pending list room for 32 MB between sweeps', async () => {
      const rows = await opened.client.query<{ reloptions: string[] | null }>("SELECT reloptions FROM pg_class WHERE relname = 'entries_event'");
      expect(rows[0]?.reloptions).toContain('gin_pending_list_limit=32768');
    });

    it.runIf(target.name === 'postgres')('has its pending list merged by the sweeper, not by the appends', async () => {
      const store = createSqlLedgerStore(opened.client);
      const pending = async () => Number((await opened.client.query<{ n: number }>("SELECT gin_clean_pending_list('entries_event'::regclass) AS n"))[0]!.n);
      await appendEntries(store, signer, candidates(1, 200));
      expect(await pending()).toBeGreaterThan(0); // the appends left their keys pending (and this merged them)
      await appendEntries(store, signer, candidates(201, 200));
      const sweeper = startGinPendingSweeper(opened.client, { index: 'entries_event', everyMs: 20 });
      try {
        await new Promise((r) => setTimeout(r, 300));
        expect(await pending()).toBe(0); // nothing left: the sweeper merged it
      } finally {
        await sweeper.stop();
      }
      // The index still answers containment queries for every entry.
      const found = await opened.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM entries WHERE event @> '{"bizStep":"inspecting"}'`);
      expect(found[0]!.n).toBe(400);
    });
  });
}
