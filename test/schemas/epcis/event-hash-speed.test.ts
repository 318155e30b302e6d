// Throughput of computeEventHashId for a typical commissioning ObjectEvent (target ≥ 50,000 IDs/s on one core).
//
// Measured in CPU time of this process, so a busy machine slows the wall clock, not the figure. The
// assertion is a floor far below the target that only catches a pathological regression; the measured
// rate is printed for bench records.

import { describe, expect, it } from 'vitest';
import { PEDIGREE_CONTEXT, buildCommissioningEvent, computeEventHashId } from '../../../schemas/epcis/index.js';

describe('computeEventHashId speed', () => {
  it('hashes a commissioning ObjectEvent at well over 10,000 IDs per CPU second', () => {
    const built = buildCommissioningEvent({
      eventTime: '2024-03-01T09:15:00.123Z',
      eventTimeZoneOffset: '+01:00',
      readPoint: { gln: '4012345000009', extension: '1' },
      units: [{ gtin: '04012345111118', serial: 'A1B2C3' }],
      lot: 'L2024-03',
      expiry: '2026-02-28',
    });
    if (!built.ok) throw new Error(built.message);
    const event = JSON.parse(JSON.stringify(built.value)) as unknown;
    const options = { context: PEDIGREE_CONTEXT };
    for (let i = 0; i < 20_000; i++) computeEventHashId(event, options); // warm up the JIT
    let best = 0;
    for (let round = 0; round < 3; round++) {
      const n = 30_000;
      const start = process.cpuUsage();
      for (let i = 0; i < n; i++) computeEventHashId(event, options);
      const used = process.cpuUsage(start);
      best = Math.max(best, n / ((used.user + used.system) / 1e6));
    }
    console.info(`computeEventHashId: ${Math.round(best).toLocaleString('en')} commissioning-event IDs per CPU second`);
    expect(best).toBeGreaterThan(10_000);
  });
});
