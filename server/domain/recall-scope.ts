// What a recall covers (DESIGN.md §8): a GTIN with lots, a GTIN with serials, or a GTIN alone (a withdrawal),
// optionally narrowed to an expiry range. Pure: the custody fold and the recall report use the same test.

export interface RecallScope {
  readonly gtin: string;
  readonly lots?: readonly string[];
  readonly serials?: readonly string[];
  /** Inclusive `YYYY-MM-DD` bounds on the unit's expiry. */
  readonly expiryFrom?: string;
  readonly expiryTo?: string;
}

/** A recall's scope with the log entry that issued it (null until appended), as the custody rules consult it. */
export interface ActiveRecallScope extends RecallScope {
  readonly recallId: string;
  readonly index: number | null;
}

export function recallCovers(scope: RecallScope, unit: { gtin: string | null; serial: string | null; lot: string | null; expiry: string | null }): boolean {
  if (unit.gtin !== scope.gtin) return false;
  if (scope.lots !== undefined && (unit.lot === null || !scope.lots.includes(unit.lot))) return false;
  if (scope.serials !== undefined && (unit.serial === null || !scope.serials.includes(unit.serial))) return false;
  if (scope.expiryFrom !== undefined && (unit.expiry === null || unit.expiry < scope.expiryFrom)) return false;
  if (scope.expiryTo !== undefined && (unit.expiry === null || unit.expiry > scope.expiryTo)) return false;
  return true;
}
