// How many envelope-check threads the ledger starts when PEDIGREE_CHECK_WORKERS is not set (server/config.ts).
import { describe, expect, it } from 'vitest';
import { defaultCheckWorkers } from '../../server/config.js';

describe('the default number of check workers', () => {
  it('leaves the main thread a core with PGlite, which runs the database on it', () => {
    expect([1, 2, 4, 16].map((cores) => defaultCheckWorkers(cores, false))).toEqual([1, 1, 3, 8]);
  });

  it('gives a 2-core host two workers with PostgreSQL, whose main thread mostly waits', () => {
    expect([1, 2, 4, 16].map((cores) => defaultCheckWorkers(cores, true))).toEqual([1, 2, 3, 8]);
  });
});
