// BatchLoader: concurrent reads share round trips, never more than maxInFlight at once, and a failed read fails only
// its own callers.
import { describe, expect, it } from 'vitest';
import { BatchLoader } from '../../../../server/adapters/db/batch-loader.js';

function recordingLoad(delayMs = 5) {
  const calls: { keys: string[]; group: number }[] = [];
  let running = 0;
  let maxRunning = 0;
  const load = async (keys: readonly string[], group: number) => {
    calls.push({ keys: [...keys], group });
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, delayMs));
    running--;
    if (keys.includes('boom')) throw new Error('read failed');
    return new Map(keys.filter((k) => !k.startsWith('missing')).map((k) => [k, `${k}@${group}`]));
  };
  return { calls, load, maxRunning: () => maxRunning };
}

describe('BatchLoader', () => {
  it('answers keys asked for in the same turn with one read, each caller its own value', async () => {
    const r = recordingLoad();
    const loader = new BatchLoader(r.load);
    const answers = await Promise.all(['a', 'b', 'c', 'missing-d'].map((k) => loader.load(k, 7)));
    expect(answers).toEqual(['a@7', 'b@7', 'c@7', undefined]);
    expect(r.calls).toEqual([{ keys: ['a', 'b', 'c', 'missing-d'], group: 7 }]);
  });

  it('reads a key asked twice once and answers both callers', async () => {
    const r = recordingLoad();
    const loader = new BatchLoader(r.load);
    expect(await Promise.all([loader.load('a', 1), loader.load('a', 1)])).toEqual(['a@1', 'a@1']);
    expect(r.calls).toEqual([{ keys: ['a'], group: 1 }]);
  });

  it('never mixes groups in one read', async () => {
    const r = recordingLoad();
    const loader = new BatchLoader(r.load);
    expect(await Promise.all([loader.load('a', 1), loader.load('b', 2), loader.load('c', 1)])).toEqual(['a@1', 'b@2', 'c@1']);
    expect(r.calls.map((c) => c.group).sort()).toEqual([1, 2]);
    expect(r.calls.find((c) => c.group === 1)?.keys).toEqual(['a', 'c']);
  });

  it('runs at most maxInFlight reads; keys arriving meanwhile go out together in the next', async () => {
    const r = recordingLoad(20);
    const loader = new BatchLoader(r.load, { maxInFlight: 1, maxBatch: 100 });
    const first = loader.load('a', 0);
    await new Promise((res) => setImmediate(res)); // the first read is under way
    const later = Promise.all(['b', 'c', 'd'].map((k) => loader.load(k, 0)));
    expect(await first).toBe('a@0');
    expect(await later).toEqual(['b@0', 'c@0', 'd@0']);
    expect(r.calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c', 'd']]);
    expect(r.maxRunning()).toBe(1);
  });

  it('splits more keys than maxBatch over several reads', async () => {
    const r = recordingLoad();
    const loader = new BatchLoader(r.load, { maxInFlight: 4, maxBatch: 3 });
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    expect(await Promise.all(keys.map((k) => loader.load(k, 0)))).toEqual(keys.map((k) => `${k}@0`));
    expect(r.calls.map((c) => c.keys.length)).toEqual([3, 3, 3, 1]);
    expect(r.maxRunning()).toBeLessThanOrEqual(4);
  });

  it('rejects the callers of a failed read only, and keeps serving afterwards', async () => {
    const r = recordingLoad();
    const loader = new BatchLoader(r.load, { maxInFlight: 2, maxBatch: 2 });
    const results = await Promise.allSettled([loader.load('boom', 0), loader.load('x', 0), loader.load('y', 0)]);
    expect(results.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(await loader.load('z', 0)).toBe('z@0');
  });
});
