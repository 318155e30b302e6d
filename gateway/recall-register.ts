// Recalls and suspect units a gateway knows of, from signed ledger messages: what a dispensing or verify scanner
// refuses on the spot (DESIGN.md §§6, 8).
//
// - A recall's scope is a GTIN with lots, or with serials, or the GTIN alone (a withdrawal of every pack).
//   A lot-scoped recall of the GTIN and a label without a lot: the pack cannot be cleared locally, so it is refused.
// - An empty retained payload on a recall topic is how MQTT clears a retained message; it carries no signature,
//   so it cannot withdraw a recall here (anyone on a misconfigured broker could send one). Only a signed notice
//   with `status: "withdrawn"` (or `withdrawn: true`) does. Recalled units stay recalled in the ledger anyway (§8).
// - Alerts name suspect units; an alert with `status: "resolved"` (or `resolved: true`) clears them. Bounded:
//   at most maxSuspects units, oldest forgotten first.
import type { UnitRead } from './decode-read.js';
import { unitKeyOf, type RecallNotice, type SiteAlert } from './ledger-messages.js';

export interface Refusal {
  readonly code: 'RECALLED' | 'RECALL_LOT_UNKNOWN' | 'SUSPECT';
  readonly message: string;
  readonly recallId?: string;
  readonly alertId?: string;
}

export interface RecallRegisterOptions {
  readonly maxSuspects?: number;
}

interface Suspect {
  readonly alertId: string;
  readonly code: string;
}

export class RecallRegister {
  readonly #recalls = new Map<string, RecallNotice>();
  readonly #byGtin = new Map<string, Set<string>>();
  readonly #suspects = new Map<string, Suspect>();
  readonly #alertUnits = new Map<string, string[]>();
  readonly #maxSuspects: number;

  constructor(options: RecallRegisterOptions = {}) {
    this.#maxSuspects = options.maxSuspects ?? 100_000;
  }

  get recallCount(): number {
    return this.#recalls.size;
  }

  get suspectCount(): number {
    return this.#suspects.size;
  }

  /** Applies a verified recall notice; a signed withdrawal removes it. Returns what changed. */
  applyRecall(recallId: string, notice: RecallNotice): 'added' | 'updated' | 'withdrawn' {
    const withdrawn = notice.status === 'withdrawn' || notice.withdrawn === true;
    const had = this.#recalls.has(recallId);
    this.#removeRecall(recallId);
    if (withdrawn) return 'withdrawn';
    this.#recalls.set(recallId, notice);
    const ids = this.#byGtin.get(notice.scope.gtin) ?? new Set<string>();
    ids.add(recallId);
    this.#byGtin.set(notice.scope.gtin, ids);
    return had ? 'updated' : 'added';
  }

  #removeRecall(recallId: string): void {
    const old = this.#recalls.get(recallId);
    if (!old) return;
    this.#recalls.delete(recallId);
    const ids = this.#byGtin.get(old.scope.gtin);
    ids?.delete(recallId);
    if (ids?.size === 0) this.#byGtin.delete(old.scope.gtin);
  }

  /** Applies a verified site alert: its units become suspect, or stop being so when it is resolved. */
  applyAlert(alert: SiteAlert): number {
    const alertId = String(alert.id);
    const resolved = alert.status === 'resolved' || alert.resolved === true;
    if (resolved) {
      for (const key of this.#alertUnits.get(alertId) ?? []) {
        if (this.#suspects.get(key)?.alertId === alertId) this.#suspects.delete(key);
      }
      this.#alertUnits.delete(alertId);
      return 0;
    }
    const keys = [...(alert.unit !== undefined ? [alert.unit] : []), ...(alert.units ?? [])]
      .map(unitKeyOf)
      .filter((k): k is string => k !== undefined);
    for (const key of keys) {
      this.#suspects.delete(key);
      this.#suspects.set(key, { alertId, code: alert.code });
    }
    if (keys.length > 0) this.#alertUnits.set(alertId, keys);
    while (this.#suspects.size > this.#maxSuspects) {
      const oldest = this.#suspects.keys().next().value;
      if (oldest === undefined) break;
      this.#suspects.delete(oldest);
    }
    while (this.#alertUnits.size > this.#maxSuspects) {
      const oldest = this.#alertUnits.keys().next().value;
      if (oldest === undefined) break;
      this.#alertUnits.delete(oldest);
    }
    return keys.length;
  }

  /** Why this pack must not be dispensed, or undefined when nothing known stands against it. */
  check(unit: Pick<UnitRead, 'gtin' | 'serial' | 'lot'>): Refusal | undefined {
    for (const recallId of this.#byGtin.get(unit.gtin) ?? []) {
      const notice = this.#recalls.get(recallId);
      if (!notice) continue;
      const { lots, serials } = notice.scope;
      const why = `recall ${recallId}${notice.class ? ` (class ${notice.class})` : ''}${notice.reason ? `: ${notice.reason}` : ''}`;
      if (serials && serials.length > 0) {
        if (serials.includes(unit.serial)) return { code: 'RECALLED', message: why, recallId };
        continue;
      }
      if (lots && lots.length > 0) {
        if (unit.lot === undefined) {
          return { code: 'RECALL_LOT_UNKNOWN', message: `${why}; the label has no lot, so the pack cannot be cleared here`, recallId };
        }
        if (lots.includes(unit.lot)) return { code: 'RECALLED', message: why, recallId };
        continue;
      }
      return { code: 'RECALLED', message: why, recallId };
    }
    const suspect = this.#suspects.get(`01/${unit.gtin}/21/${unit.serial}`);
    if (suspect) return { code: 'SUSPECT', message: `alert ${suspect.alertId} (${suspect.code}) names this pack`, alertId: suspect.alertId };
    return undefined;
  }
}
