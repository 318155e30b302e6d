// The recall report (DESIGN.md §8): for the whole scope, where every unit is now — counts and lists per current
// custodian and status, the sites notified and which acknowledged, and the open alerts about units in scope.
import type { UnitState } from './custody-model.js';
import type { AlertRecord } from './custody-model.js';
import type { CustodyStore, RecallRecord, RecallSiteRecord, RecallStore } from './ports.js';
import { PedigreeError } from './pedigree-error.js';

export const RECALL_UNIT_STATUSES = [
  'in_stock',
  'in_transit',
  'dispensed',
  'destroyed',
  'returned',
  'decommissioned',
  'stolen',
  'exported',
  'sample',
  'never_commissioned',
] as const;
export type RecallUnitStatus = (typeof RECALL_UNIT_STATUSES)[number];

/** Statuses that leave a unit unaccounted for: it is still out in the supply chain. */
export const OUTSTANDING_STATUSES: ReadonlySet<RecallUnitStatus> = new Set(['in_stock', 'in_transit']);

export interface RecallReportUnit {
  readonly epc: string;
  readonly gtin: string;
  readonly serial: string;
  readonly lot: string | null;
  readonly expiry: string | null;
  readonly status: RecallUnitStatus;
  readonly custodian: string | null;
  readonly destination: string | null;
  readonly recalled: boolean;
}

export type StatusCounts = Record<RecallUnitStatus, number>;

export interface RecallReport {
  readonly recall: RecallRecord;
  readonly generatedAt: string;
  readonly total: number;
  readonly counts: StatusCounts;
  /** Units in stock or in transit: the recall can close when this is 0. */
  readonly outstanding: number;
  readonly byCustodian: readonly { custodian: string | null; counts: StatusCounts; units: readonly string[] }[];
  readonly units: readonly RecallReportUnit[];
  readonly sites: readonly RecallSiteRecord[];
  readonly openAlerts: readonly AlertRecord[];
}

/** A unit back at its manufacturer after it left counts as returned; one that never left is still in stock. */
export function recallStatusOf(u: Pick<UnitState, 'state' | 'owner' | 'custodian' | 'custodyIndex' | 'commissionedIndex'>): RecallUnitStatus {
  switch (u.state) {
    case 'unknown':
      return 'never_commissioned';
    case 'active':
      return u.owner !== null && u.custodian === u.owner && u.custodyIndex !== u.commissionedIndex ? 'returned' : 'in_stock';
    default:
      return u.state;
  }
}

const zeroCounts = (): StatusCounts => Object.fromEntries(RECALL_UNIT_STATUSES.map((s) => [s, 0])) as StatusCounts;

export interface ReportRecallOptions {
  readonly recalls: Pick<RecallStore, 'findRecall' | 'reportUnitsInScope' | 'sitesOf'>;
  readonly custody: Pick<CustodyStore, 'listAlerts'>;
  readonly clock: { now(): Date };
}

/**
 * The report of a recall (its record read first, so a caller can be checked before the units are). One lean query
 * for the units, sorted here; counts and the per-custodian lists in one pass (bench/recall: 100,000 units).
 */
export async function reportRecall(o: ReportRecallOptions, idOrRecall: string | RecallRecord): Promise<RecallReport> {
  const recall = typeof idOrRecall === 'string' ? await o.recalls.findRecall(idOrRecall) : idOrRecall;
  if (!recall) throw new PedigreeError('RECALL_NOT_FOUND', `no recall ${String(idOrRecall)}`);
  const [states, sites, alerts] = await Promise.all([
    o.recalls.reportUnitsInScope(recall.scope),
    o.recalls.sitesOf(recall.id),
    o.custody.listAlerts({ gtin: recall.scope.gtin, status: 'unresolved', limit: 1000 }),
  ]);
  const units: RecallReportUnit[] = states.map((s) => ({
    epc: s.epc,
    gtin: s.gtin ?? recall.scope.gtin,
    serial: s.serial ?? '',
    lot: s.lot,
    expiry: s.expiry,
    status: recallStatusOf(s),
    custodian: s.state === 'unknown' ? null : s.custodian,
    destination: s.state === 'in_transit' ? s.destinationParty : null,
    recalled: s.recalled,
  }));
  // A serial scope names serials that may never have been commissioned (nor seen): they are listed too.
  if (recall.scope.serials) {
    const seen = new Set(units.map((u) => u.serial));
    for (const serial of recall.scope.serials) {
      if (seen.has(serial)) continue;
      units.push({
        epc: `https://id.gs1.org/01/${recall.scope.gtin}/21/${encodeURIComponent(serial)}`,
        gtin: recall.scope.gtin,
        serial,
        lot: null,
        expiry: null,
        status: 'never_commissioned',
        custodian: null,
        destination: null,
        recalled: false,
      });
    }
  }
  units.sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
  const counts = zeroCounts();
  const byCustodian = new Map<string | null, { counts: StatusCounts; units: string[] }>();
  for (const u of units) {
    counts[u.status]++;
    let c = byCustodian.get(u.custodian);
    if (!c) byCustodian.set(u.custodian, (c = { counts: zeroCounts(), units: [] }));
    c.counts[u.status]++;
    c.units.push(u.epc);
  }
  const inScope = new Set(units.map((u) => u.epc));
  return {
    recall,
    generatedAt: o.clock.now().toISOString(),
    total: units.length,
    counts,
    outstanding: [...OUTSTANDING_STATUSES].reduce((n, status) => n + counts[status], 0),
    byCustodian: [...byCustodian].map(([custodian, c]) => ({ custodian, counts: c.counts, units: c.units })),
    units,
    sites,
    openAlerts: alerts.filter((a) => inScope.has(a.epc)),
  };
}

/** RFC 4180 CSV: one row per unit. */
export function recallReportCsv(report: RecallReport): string {
  const cell = (v: string | null | boolean) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const head = ['recall', 'epc', 'gtin', 'serial', 'lot', 'expiry', 'status', 'custodian', 'destination', 'recalled'];
  const rows = report.units.map((u) =>
    [report.recall.id, u.epc, u.gtin, u.serial, u.lot, u.expiry, u.status, u.custodian, u.destination, u.recalled].map(cell).join(','),
  );
  return [head.join(','), ...rows].join('\r\n') + '\r\n';
}
