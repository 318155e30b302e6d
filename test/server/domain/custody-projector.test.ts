// The custody projector's failure report (custody-projector.ts `failure`, shown by /healthz): set while the rules
// transaction keeps failing, with since when and the last error; cleared by the first attempt that succeeds. An
// entry the store refuses holds back only itself: the batch is halved until it stands alone, and the report names it.
import { describe, expect, it, vi } from 'vitest';
import type { AppliedEntry } from '../../../server/domain/custody-model.js';
import { CustodyProjector } from '../../../server/domain/custody-projector.js';
import type { CustodyStore, CustodyTransaction, CustodyWrite } from '../../../server/domain/ports.js';

describe('when the rules transaction fails', () => {
  it('reports the failure with its attempts until an attempt succeeds', async () => {
    let failuresLeft = 3;
    const custody = {
      apply: async (fn: (tx: unknown) => Promise<unknown>) => {
        if (failuresLeft-- > 0) throw Object.assign(new Error('date/time field value out of range'), { code: '22008' });
        // Nothing beyond the watermark: the attempt succeeds and applies nothing.
        return fn({ appliedThrough: async () => 0, entries: async () => [] });
      },
    } as unknown as CustodyStore;
    const errors: string[] = [];
    const projector = new CustodyProjector({ custody, retryMs: 5, onError: (_e, context) => errors.push(context) });
    expect(projector.failure).toBeUndefined();
    await projector.catchUp();
    expect(projector.failure).toMatchObject({ attempts: 1, message: 'date/time field value out of range' });
    const since = projector.failure!.since;
    await vi.waitFor(() => expect(projector.failure?.attempts).toBe(3), { timeout: 2000, interval: 2 });
    expect(projector.failure!.since).toBe(since);
    await vi.waitFor(() => expect(projector.failure).toBeUndefined(), { timeout: 2000, interval: 2 });
    expect(errors).toEqual(['custody rules', 'custody rules', 'custody rules']);
    await projector.stop();
  });
});

describe('when the store refuses one entry of a batch', () => {
  // Ten packs commissioned at entries 0-9; the store refuses to write entry 6's projection until it is mended.
  const entries: AppliedEntry[] = Array.from({ length: 10 }, (_, index) => ({
    index,
    eventId: `ni:///sha-256;${index.toString(16).padStart(64, '0')}?ver=CBV2.0`,
    eventTime: `2026-11-25T08:00:0${index}.000Z`,
    event: {
      type: 'ObjectEvent',
      action: 'ADD',
      eventTime: `2026-11-25T08:00:0${index}.000Z`,
      eventTimeZoneOffset: '+00:00',
      epcList: [`https://id.gs1.org/01/09506000134352/21/P${index}`],
      bizStep: 'commissioning',
      disposition: 'active',
    },
    device: null,
    party: '9506000000007',
  }));
  const POISON = 6;

  function store(refuse: () => boolean) {
    let through = -1;
    const written: number[][] = [];
    const tx = (): CustodyTransaction => ({
      appliedThrough: async () => through,
      entries: async (from, count) => entries.slice(from, from + count),
      partiesOfDevices: async () => new Map(),
      loadStates: async () => [],
      loadSteps: async () => [],
      containerStepsAfter: async () => [],
      epcsOfEntries: async () => [],
      entryIndexesByEventId: async () => new Map(),
      ruleAlertsOf: async () => [],
      write: async (w: CustodyWrite) => {
        const indexes = w.events.map((f) => f.index);
        if (refuse() && indexes.includes(POISON)) throw Object.assign(new Error('value too long for type character varying(80)'), { code: '22001' });
        written.push(indexes);
        through = w.appliedThrough;
        return { raised: [], resolved: [], inserted: indexes.length };
      },
    });
    const custody = { apply: async <R>(fn: (t: CustodyTransaction) => Promise<R>) => fn(tx()) } as unknown as CustodyStore;
    return { custody, written, through: () => through };
  }

  it('applies the entries before it, names it in the failure, and applies the rest once it is mended', async () => {
    let refusing = true;
    const s = store(() => refusing);
    const errors: string[] = [];
    const projector = new CustodyProjector({ custody: s.custody, retryMs: 5, onError: (_e, context) => errors.push(context) });
    await projector.catchUp();
    expect(s.through()).toBe(POISON - 1);
    expect(s.written.flat()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(projector.failure?.message).toBe(`entry ${POISON}: value too long for type character varying(80)`);
    expect(errors[0]).toBe('custody rules on entries 0-9; trying again 5 at a time');
    expect(errors.at(-1)).toBe('custody rules');

    // Still refused on the next attempts: nothing more is written, and the report keeps naming the entry.
    const attempts = projector.failure!.attempts;
    await vi.waitFor(() => expect(projector.failure?.attempts).toBeGreaterThanOrEqual(attempts + 2), { timeout: 2000, interval: 2 });
    expect(s.through()).toBe(POISON - 1);
    expect(projector.failure?.message).toMatch(new RegExp(`^entry ${POISON}: `));

    refusing = false;
    await vi.waitFor(() => expect(s.through()).toBe(9), { timeout: 2000, interval: 2 });
    await projector.drain();
    expect(projector.failure).toBeUndefined();
    expect(s.written.flat()).toEqual(entries.map((e) => e.index));
    await projector.stop();
  });

  it('goes back to whole batches after the refused entry is passed', async () => {
    let refusing = true;
    const s = store(() => refusing);
    const projector = new CustodyProjector({ custody: s.custody, retryMs: 5, maxBatch: 4 });
    await projector.catchUp();
    expect(s.through()).toBe(POISON - 1);
    refusing = false;
    await vi.waitFor(() => expect(s.through()).toBe(9), { timeout: 2000, interval: 2 });
    await projector.drain();
    // 0-3 whole; 4-7 refused, then 4-5, then 6 alone (refused, then mended); after it, batches double again: 7-8, 9.
    expect(s.written).toEqual([[0, 1, 2, 3], [4, 5], [6], [7, 8], [9]]);
    await projector.stop();
  });
});
