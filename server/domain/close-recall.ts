// Closes a recall (DESIGN.md §8) once every unit in scope is accounted for (none in stock or in transit), or by a
// regulator's (or admin's) override with a reason. The retained notice is replaced by the same notice signed with
// `status: "closed"` (an empty retained message cannot be signed, so gateways would have to ignore it): every gateway
// learns the recall is no longer active, while its units stay recalled (irreversible).
import { PedigreeError } from './pedigree-error.js';
import type { RecallRecord, TokenRecord } from './ports.js';
import { reportRecall, type ReportRecallOptions } from './report-recall.js';
import { mayRecall } from './issue-recall.js';
import type { AccessStore, RecallStore } from './ports.js';

export async function closeRecall(
  o: ReportRecallOptions & {
    readonly recalls: Pick<RecallStore, 'closeRecall'>;
    readonly access: Pick<AccessStore, 'companyPrefixes'>;
    /** Publishes the signed notice, retained, on pedigree/v1/recalls/{id} (replacing the open one). */
    readonly publishRecall?: (id: string, notice: Record<string, unknown>) => Promise<void>;
    readonly onError?: (error: unknown, context: string) => void;
  },
  caller: TokenRecord,
  id: string,
  request: { readonly override: boolean; readonly reason: string | null },
): Promise<RecallRecord> {
  const report = await reportRecall(o, id);
  if (!(await mayRecall(o.access, caller, report.recall.scope.gtin))) {
    throw new PedigreeError('FORBIDDEN', 'a recall is closed by its GTIN’s manufacturer or a regulator');
  }
  if (report.recall.status === 'closed') throw new PedigreeError('RECALL_CLOSED', `recall ${id} is already closed`);
  if (request.override) {
    if (caller.role !== 'regulator' && caller.role !== 'admin') throw new PedigreeError('FORBIDDEN', 'only a regulator may close a recall by override');
    if (request.reason === null) throw new PedigreeError('VALIDATION_FAILED', 'reason: an override needs a reason');
  } else if (report.outstanding > 0) {
    throw new PedigreeError(
      'RECALL_UNITS_OUTSTANDING',
      `${report.outstanding} unit(s) are still in stock or in transit (${report.counts.in_stock} in stock, ${report.counts.in_transit} in transit); return or destroy them, or a regulator closes with override and a reason`,
    );
  }
  const closed = await o.recalls.closeRecall(id, {
    at: o.clock.now().toISOString(),
    by: caller.party ?? caller.role,
    reason: request.reason,
    override: request.override,
  });
  if (!closed) throw new PedigreeError('RECALL_CLOSED', `recall ${id} is already closed`);
  const notice = { ...closed.notice, status: 'closed', closedAt: closed.closedAt, closedBy: closed.closedBy };
  await o.publishRecall?.(id, notice).catch((e: unknown) => o.onError?.(e, 'closed recall notice publication'));
  return closed;
}
