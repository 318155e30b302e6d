// Reads relations into the operating system's page cache with PostgreSQL's pg_prewarm (contrib, shipped with the
// server): what a ledger that has been serving verifications for a while has in memory. On this VM the kernel pages
// out file cache that has not been touched for about a minute (DAMON reclaim: bench/RESULTS.md, session 8), and a
// data set read at random falls out of it whatever its load; before each measured phase bench/verify reads its
// working set back, as a plain Linux host's cache would keep it.
import pg from 'pg';

export interface PrewarmResult {
  readonly megabytes: number;
  readonly seconds: number;
}

/** Reads each table and its primary key (and the other indexes named) into the page cache; returns how much. */
export async function prewarmRelations(url: string, tables: readonly string[], indexes: readonly string[] = []): Promise<PrewarmResult> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    const { rows } = await client.query<{ bytes: string }>(
      `SELECT COALESCE(SUM(pg_prewarm(c.oid::regclass, 'read')), 0)::bigint * current_setting('block_size')::bigint AS bytes
         FROM pg_class c
        WHERE c.relname = ANY($2::text[])
           OR c.relname = ANY($1::text[])
           OR c.oid IN (SELECT i.indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                         WHERE i.indisprimary AND t.relname = ANY($1::text[]))`,
      [tables, indexes],
    );
    return { megabytes: Number(rows[0]!.bytes) / 2 ** 20, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}
