// Keeps the pending list of the entries' GIN index (the jsonb query copy that EPCIS queries search) short, from a
// connection of its own. PostgreSQL's fast update puts new index entries in a pending list; the insert that finds it
// over gin_pending_list_limit merges it into the index inside its own transaction, which stalled the log's single
// writer (and every receipt behind it) for tens of milliseconds each time. Swept here, the writer never does it: an
// insert skips the merge while another backend holds it, and the limit (migration 0006) leaves room between sweeps.
import type { SqlClient } from './sql-client.js';

export interface GinPendingSweeper {
  stop(): Promise<void>;
}

export function startGinPendingSweeper(
  db: SqlClient,
  options: { readonly index: string; readonly everyMs: number; readonly onError?: (e: unknown) => void },
): GinPendingSweeper {
  let running: Promise<void> | undefined;
  let stopped = false;
  const sweep = () => {
    if (running || stopped) return;
    running = db
      .query('SELECT gin_clean_pending_list($1::regclass)', [options.index], { prepare: true })
      .then(
        () => undefined,
        (e: unknown) => options.onError?.(e),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, options.everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
