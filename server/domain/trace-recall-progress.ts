// How a recall's units became accounted for over time (DESIGN.md §8), for the report's chart: at each instant, how
// many units in scope were accounted for (dispensed, destroyed, returned, …) and how many still outstanding (in
// stock or in transit).
import type { UnitState } from './custody-model.js';
import { mayRecall } from './issue-recall.js';
import { PedigreeError } from './pedigree-error.js';
import type { AccessStore, Clock, RecallRecord, RecallStore, TokenRecord } from './ports.js';
import { OUTSTANDING_STATUSES, recallStatusOf } from './report-recall.js';

/** Most points returned: a chart of a large recall is drawn from evenly spaced instants. */
export const MAX_PROGRESS_POINTS = 400;

export interface RecallProgressPoint {
  readonly at: string;
  readonly accounted: number;
  readonly outstanding: number;
}

export interface RecallProgress {
  readonly recall: RecallRecord;
  readonly total: number;
  readonly points: readonly RecallProgressPoint[];
}

/**
 * When each unit became accounted for: its last event's time (the step that took it out of stock), never before the
 * recall was issued (a unit dispensed before the recall counts from the start); null while it is outstanding. A serial
 * the scope names that was never commissioned counts as accounted from the start, as in the report.
 */
export function accountedAt(u: UnitState, issuedAt: string): string | null {
  if (OUTSTANDING_STATUSES.has(recallStatusOf(u))) return null;
  const t = u.lastEventTime ? new Date(u.lastEventTime).toISOString() : issuedAt;
  return t > issuedAt ? t : issuedAt;
}

/** The step series from the recall's issue to `now` (or the latest accounting, if later). Pure. */
export function progressPoints(issuedAt: string, now: string, times: readonly (string | null)[]): RecallProgressPoint[] {
  const total = times.length;
  const done = times.filter((t): t is string => t !== null).sort();
  const end = [now, done.at(-1) ?? issuedAt].sort().at(-1)!;
  let instants = [...new Set([issuedAt, ...done, end])].sort();
  if (instants.length > MAX_PROGRESS_POINTS) {
    const t0 = Date.parse(issuedAt);
    const span = Date.parse(end) - t0;
    instants = Array.from({ length: MAX_PROGRESS_POINTS }, (_v, i) => new Date(t0 + (span * i) / (MAX_PROGRESS_POINTS - 1)).toISOString());
  }
  let k = 0;
  return instants.map((at) => {
    while (k < done.length && done[k]! <= at) k++;
    return { at, accounted: k, outstanding: total - k };
  });
}

export interface TraceRecallProgressOptions {
  readonly recalls: Pick<RecallStore, 'findRecall' | 'unitsInScope'>;
  readonly access: Pick<AccessStore, 'companyPrefixes'>;
  readonly clock: Clock;
}

/** The progress series; like the report, for the GTIN's manufacturer and regulators only. */
export async function traceRecallProgress(o: TraceRecallProgressOptions, caller: TokenRecord, id: string): Promise<RecallProgress> {
  const recall = await o.recalls.findRecall(id);
  if (!recall) throw new PedigreeError('RECALL_NOT_FOUND', `no recall ${id}`);
  if (!(await mayRecall(o.access, caller, recall.scope.gtin))) {
    throw new PedigreeError('FORBIDDEN', 'the recall report is for the GTIN’s manufacturer and regulators');
  }
  const states = await o.recalls.unitsInScope(recall.scope);
  const times = states.map((u) => accountedAt(u, recall.issuedAt));
  if (recall.scope.serials) {
    const seen = new Set(states.map((u) => u.serial));
    for (const serial of recall.scope.serials) if (!seen.has(serial)) times.push(recall.issuedAt);
  }
  return { recall, total: times.length, points: progressPoints(recall.issuedAt, o.clock.now().toISOString(), times) };
}
