// The recall chart's series (server/domain/trace-recall-progress.ts): units accounted for vs outstanding over time.
import { describe, expect, it } from 'vitest';
import { MAX_PROGRESS_POINTS, progressPoints } from '../../server/domain/trace-recall-progress.js';

const issued = '2026-11-01T10:00:00.000Z';
const now = '2026-11-03T10:00:00.000Z';

describe('the accounted-vs-outstanding series', () => {
  it('starts at the issue with units already accounted for, steps at each accounting, and ends now', () => {
    const pts = progressPoints(issued, now, [issued, null, '2026-11-02T08:00:00.000Z', null, '2026-11-02T08:00:00.000Z']);
    expect(pts).toEqual([
      { at: issued, accounted: 1, outstanding: 4 },
      { at: '2026-11-02T08:00:00.000Z', accounted: 3, outstanding: 2 },
      { at: now, accounted: 3, outstanding: 2 },
    ]);
  });
  it('is one point when nothing happened yet', () => {
    expect(progressPoints(issued, issued, [null, null])).toEqual([{ at: issued, accounted: 0, outstanding: 2 }]);
  });
  it('samples a long history down to evenly spaced instants, ending with every unit counted', () => {
    const times = Array.from({ length: 2000 }, (_v, i) => new Date(Date.parse(issued) + (i + 1) * 60_000).toISOString());
    const pts = progressPoints(issued, now, times);
    expect(pts).toHaveLength(MAX_PROGRESS_POINTS);
    expect(pts.at(-1)).toEqual({ at: now, accounted: 2000, outstanding: 0 });
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.accounted).toBeGreaterThanOrEqual(pts[i - 1]!.accounted);
  });
});
