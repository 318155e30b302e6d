// Rebuilds the custody projection from the log alone (DESIGN.md §6: derived state is a projection of the log):
// empties it, replays every entry through the same rules as live ingest, and resolves rule alerts the log no longer
// raises. Alerts and the notes people wrote on them are kept.
import { applyCustodyRules } from './apply-custody-rules.js';
import type { CustodyStore, LedgerStore } from './ports.js';
import type { ActiveRecallScope } from './recall-scope.js';

export interface RebuildCustodyStateOptions {
  readonly custody: CustodyStore;
  /** For the tree size shown in progress. */
  readonly store: Pick<LedgerStore, 'treeSize'>;
  /** Entries per rules transaction (default 5000). */
  readonly chunk?: number;
  readonly onProgress?: (appliedThrough: number, treeSize: number) => void;
  /** Recall scopes (units commissioned into them are recalled on arrival, as in live ingest). */
  readonly recalls?: readonly ActiveRecallScope[];
}

export async function rebuildCustodyState(o: RebuildCustodyStateOptions): Promise<{ entries: number; alertsRaised: number; alertsResolved: number }> {
  const chunk = o.chunk ?? 5000;
  await o.custody.reset();
  const keys = new Set<string>();
  const parties = new Map<string, string | null>();
  let entries = 0;
  let raised = 0;
  const treeSize = await o.store.treeSize();
  for (;;) {
    const n = await o.custody.apply(async (tx) => {
      const through = await tx.appliedThrough();
      const rows = await tx.entries(through + 1, chunk);
      if (rows.length === 0) return 0;
      const applied = await applyCustodyRules(tx, rows, { parties, ...(o.recalls ? { recalls: o.recalls } : {}) });
      for (const k of applied.raisedKeys) keys.add(k);
      raised += applied.inserted;
      o.onProgress?.(applied.appliedThrough, treeSize);
      return rows.length;
    });
    if (n === 0) break;
    entries += n;
  }
  const resolved = await o.custody.resolveRuleAlertsNotIn(keys, 'no longer raised by the log: resolved by rebuild-state');
  return { entries, alertsRaised: raised, alertsResolved: resolved };
}
