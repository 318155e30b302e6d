// The custody projector's failure report (custody-projector.ts `failure`, shown by /healthz): set while the rules
// transaction keeps failing, with since when and the last error; cleared by the first attempt that succeeds.
import { describe, expect, it, vi } from 'vitest';
import { CustodyProjector } from '../../../server/domain/custody-projector.js';
import type { CustodyStore } from '../../../server/domain/ports.js';

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
