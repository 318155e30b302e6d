// The log keeps each entry's exact bytes and a jsonb query copy of its event (DESIGN.md §5). The bytes travel to the
// store as one binary parameter and PostgreSQL parses a device envelope's copy from them (ledger-store.ts): the copy
// must still be what the checks parsed, whatever the envelope's spelling, and the bytes must come back verbatim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlLedgerStore, fromBytes, type SqlLedgerStore } from '../../../../server/adapters/db/ledger-store.js';
import { createLedgerSigner } from '../../../../server/adapters/ledger-signer.js';
import { appendEntries } from '../../../../server/domain/append-entries.js';
import type { CandidateEntry } from '../../../../server/domain/ports.js';
import { generateKeyPair } from '../../../../schemas/signing/keys.js';
import { testStores } from '../../../harness/databases.js';

const signer = createLedgerSigner({ origin: 'test.example/log', secretKey: generateKeyPair().secretKey });
const encoder = new TextEncoder();

/** A device candidate as the checks make it: the bytes received and the event JSON.parse read from them. */
function deviceCandidate(text: string, seq: number, bom = false): CandidateEntry {
  const bytes = encoder.encode(bom ? `\uFEFF${text}` : text);
  const event = (JSON.parse(text) as { event: unknown }).event;
  return { kind: 'device', bytes, device: 'gw-bytes', seq, eventId: `urn:uuid:bytes-${seq}`, eventTime: null, event, identifiers: [] };
}

const envelopes = [
  // keys out of order, escapes, a non-ASCII name, numbers written in several ways
  { name: 'an envelope spelt freely', text: '{"sig":"x","v":1,"seq":1,"event":{"type":"ObjectEvent","quantity":1.50,"n":-0,"big":12345678901234567890,"name":"Pharmacie d\\u00e9 l\'\u00c9toile \\"n\u00b01\\"","list":[1,{"b":2,"a":[]}]},"device":"gw-bytes"}' },
  // 1e-20000 is 0 to JSON.parse but overflows jsonb's numeric: the copy must still be stored
  { name: 'an event whose number underflows to 0', text: '{"device":"gw-bytes","event":{"type":"ObjectEvent","tiny":1e-20000,"x":2E+5},"seq":2,"sig":"x","v":1}' },
  { name: 'an event with a serial that looks like an exponent', text: '{"device":"gw-bytes","event":{"type":"ObjectEvent","serial":"AE12345"},"seq":3,"sig":"x","v":1}' },
  // long enough to write the 16,383 decimals numeric cannot hold
  { name: 'an event with a number of 17,000 decimals', text: `{"device":"gw-bytes","event":{"type":"ObjectEvent","q":0.${'0'.repeat(17_000)}1},"seq":4,"sig":"x","v":1}` },
];

describe('fromBytes', () => {
  it('lets PostgreSQL parse only device envelopes whose numbers all fit jsonb', () => {
    expect(fromBytes('device', encoder.encode('{"event":{"q":1e-20}}'))).toBe(true);
    expect(fromBytes('device', encoder.encode('{"event":{"q":1e-2000}}'))).toBe(false);
    expect(fromBytes('device', encoder.encode(`\uFEFF{"event":{}}`))).toBe(false);
    expect(fromBytes('device', encoder.encode(`{"event":{"q":"${'a'.repeat(15_000)}"}}`))).toBe(false);
    expect(fromBytes('capture', encoder.encode('{"event":{}}'))).toBe(false);
  });
});

for (const target of testStores) {
  describe(`the entries' bytes and query copies on ${target.name}`, () => {
    let opened: Awaited<ReturnType<typeof target.open>>;
    let store: SqlLedgerStore;
    beforeAll(async () => {
      opened = await target.open();
      store = createSqlLedgerStore(opened.client);
    });
    afterAll(async () => opened?.drop());

    it('stores every envelope of a batch byte for byte, its query copy equal to the event the checks parsed', async () => {
      const candidates = [...envelopes.map((e, i) => deviceCandidate(e.text, i + 1)), deviceCandidate(envelopes[0]!.text.replace('"seq":1', '"seq":5'), 5, true)];
      const { outcomes } = await appendEntries(store, signer, candidates);
      expect(outcomes.map((o) => o.status)).toEqual(candidates.map(() => 'accepted'));
      for (const [i, c] of candidates.entries()) {
        const row = await store.entry(i);
        expect(Buffer.from(row!.bytes).equals(Buffer.from(c.bytes)), `bytes of entry ${i}`).toBe(true);
        expect(row!.event, `query copy of entry ${i} (${envelopes[i]?.name ?? 'with a byte order mark'})`).toEqual(JSON.parse(JSON.stringify(c.event)));
      }
    });

    it('keeps a ledger entry\'s query copy as given', async () => {
      const event = { type: 'ObjectEvent', note: 'issued by the ledger' };
      const size = await store.treeSize();
      await appendEntries(store, signer, [
        { kind: 'ledger', bytes: encoder.encode('{"event":{"other":true}}'), device: null, seq: null, eventId: 'urn:uuid:ledger-1', eventTime: null, event, identifiers: [] },
      ]);
      expect((await store.entry(size))!.event).toEqual(event);
    });
  });
}
