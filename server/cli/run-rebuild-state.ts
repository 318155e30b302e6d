// `npm run pedigree -- rebuild-state`: replays the log into the custody projection (stop a PGlite ledger first;
// on PostgreSQL a running ledger's rules wait on the same lock and carry on from the rebuilt watermark).
import { join } from 'node:path';
import type { Config } from '../config.js';
import { openSqlClient } from '../adapters/db/sql-client.js';
import { createSqlLedgerStore } from '../adapters/db/ledger-store.js';
import { createSqlCustodyStore } from '../adapters/db/custody-store.js';
import { createSqlRecallStore } from '../adapters/db/recall-store.js';
import { rebuildCustodyState } from '../domain/rebuild-custody-state.js';

export async function runRebuildState(config: Config, progress: (line: string) => void) {
  const sql = await openSqlClient({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
  try {
    const started = Date.now();
    return await rebuildCustodyState({
      custody: createSqlCustodyStore(sql),
      store: createSqlLedgerStore(sql),
      recalls: await createSqlRecallStore(sql).activeScopes(),
      onProgress: (done, total) => {
        const rate = Math.round((done + 1) / Math.max(0.001, (Date.now() - started) / 1000));
        progress(`rebuild-state: ${done + 1}/${total} entries (${rate}/s)`);
      },
    });
  } finally {
    await sql.close();
  }
}
