// SqlClient transactions on both stores: the `first` statement (the append's lock travels with BEGIN), statements
// sent together (the append queues its inserts), and a failure among them rolling everything back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../../../server/adapters/db/sql-client.js';
import { testStores } from '../../../harness/databases.js';

describe.each(testStores)('SqlClient transactions ($name)', (store) => {
  let client: SqlClient;
  let drop: () => Promise<void>;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);

  beforeAll(async () => {
    ({ client, drop } = await store.open());
    await client.query('CREATE TABLE tx_probe (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())');
    process.on('warning', onWarning);
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await drop();
  });

  it('runs `first` inside the transaction, before the statements', async () => {
    const held = await client.transaction(
      async (tx) => {
        const rows = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE locktype = $1 AND objid = $2', ['advisory', 4242]);
        return rows[0]!.n;
      },
      { first: 'SELECT pg_advisory_xact_lock(4242)' },
    );
    expect(held).toBe(1);
    // Released with the transaction.
    const after = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE locktype = $1 AND objid = $2', ['advisory', 4242]);
    expect(after[0]!.n).toBe(0);
  });

  it('runs statements sent together in the order they were sent, without the driver deprecation warning', async () => {
    await client.transaction(async (tx) => {
      await Promise.all([1, 2, 3, 4, 5].map((n) => tx.query('INSERT INTO tx_probe (n) VALUES ($1)', [n])));
    });
    const rows = await client.query<{ n: number }>('SELECT n FROM tx_probe ORDER BY at, n');
    expect(rows.map((r) => r.n)).toEqual([1, 2, 3, 4, 5]);
    expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
  });

  it('rolls back every statement sent together when one of them fails', async () => {
    const attempt = client.transaction(async (tx) => {
      await Promise.all([tx.query('INSERT INTO tx_probe (n) VALUES (6)'), tx.query('INSERT INTO tx_probe (n) VALUES (1)'), tx.query('INSERT INTO tx_probe (n) VALUES (7)')]);
    });
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
    const rows = await client.query<{ n: number }>('SELECT n FROM tx_probe WHERE n > 5');
    expect(rows).toEqual([]);
    // The connection is usable afterwards.
    expect(await client.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
