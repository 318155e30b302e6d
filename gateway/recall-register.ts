// Recalls and suspect units a gateway knows of, from signed ledger messages: what a dispensing or verify scanner
// refuses on the spot (DESIGN.md §§6, 8).
//
// - A recall's scope is a GTIN with lots, or with serials, or the GTIN alone (a withdrawal of every pack).
//   A lot-scoped recall of the GTIN and a label without a lot: the pack cannot be cleared locally, so it is refused.
// - An empty retained payload on a recall topic is how MQTT clears a retained message; it carries no signature,
//   so it cannot withdraw a recall here (anyone on a misconfigured broker could send one). Only a signed notice
//   with `status: "withdrawn"` (or `withdrawn: true`) does. Recalled units stay recalled in the ledger anyway (§8).
// - A signed notice with `status: "closed"` replaces the open one when the recall is closed (every unit accounted
//   for): the recall stops counting as active here, but its units stay recalled (irreversible, §8), so they are
//   still refused.
// - Alerts name suspect units; an alert with `status: "resolved"` (or `resolved: true`) clears them. Bounded:
//   at most maxSuspects units, oldest forgotten first. Suspects are alerts' news and are not sent again after a
//   reboot (recalls are retained on the broker), so the gateway keeps them on disk (suspect-store.ts): onSuspectsChanged
//   says when, listSuspects/restoreSuspects carry them.
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
  /** Called after an alert changed the suspect units (not on restoreSuspects). */
  readonly onSuspectsChanged?: () => void;
}

/** One suspect unit: its key (`01/{gtin}/21/{serial}`), the alert that names it, the alert's code. */
export type SuspectEntry = readonly [unit: string, alertId: string, code: string];

interface Suspect {
  readonly alertId: string;
  readonly code: string;
}

export class RecallRegister {
  readonly #recalls = new Map<string, RecallNotice>();
  readonly #closed = new Set<string>();
  readonly #byGtin = new Map<string, Set<string>>();
  readonly #suspects = new Map<string, Suspect>();
  readonly #alertUnits = new Map<string, string[]>();
  readonly #maxSuspects: number;
  readonly #onSuspectsChanged: (() => void) | undefined;

  constructor(options: RecallRegisterOptions = {}) {
    // 20,000 packs take about 4.5 MB of heap (100,000 took 22 MB): within an 80 MB edge box. Beyond it the oldest are
    // forgotten here; the ledger still alerts on them.
    this.#maxSuspects = options.maxSuspects ?? 20_000;
    this.#onSuspectsChanged = options.onSuspectsChanged;
  }

  /** Recalls in force (open); closed ones are still applied to scans but not counted. */
  get recallCount(): number {
    return this.#recalls.size - this.#closed.size;
  }

  /** Whether the recall is known here and closed. */
  isClosed(recallId: string): boolean {
    return this.#closed.has(recallId);
  }

  get suspectCount(): number {
    return this.#suspects.size;
  }

  /** Applies a verified recall notice; a signed withdrawal removes it, a signed closure keeps it as closed. */
  applyRecall(recallId: string, notice: RecallNotice): 'added' | 'updated' | 'withdrawn' | 'closed' {
    const withdrawn = notice.status === 'withdrawn' || notice.withdrawn === true;
    const had = this.#recalls.has(recallId);
    this.#removeRecall(recallId);
    if (withdrawn) return 'withdrawn';
    this.#recalls.set(recallId, notice);
    const ids = this.#byGtin.get(notice.scope.gtin) ?? new Set<string>();
    ids.add(recallId);
    this.#byGtin.set(notice.scope.gtin, ids);
    if (notice.status === 'closed') {
      this.#closed.add(recallId);
      return 'closed';
    }
    return had ? 'updated' : 'added';
  }

  #removeRecall(recallId: string): void {
    const old = this.#recalls.get(recallId);
    if (!old) return;
    this.#recalls.delete(recallId);
    this.#closed.delete(recallId);
    const ids = this.#byGtin.get(old.scope.gtin);
    ids?.delete(recallId);
    if (ids?.size === 0) this.#byGtin.delete(old.scope.gtin);
  }

  /** Applies a verified site alert: its units become suspect, or stop being so when it is resolved. */
  applyAlert(alert: SiteAlert): number {
    const alertId = String(alert.id);
    const resolved = alert.status === 'resolved' || alert.resolved === true;
    if (resolved) {
      let cleared = 0;
      for (const key of this.#alertUnits.get(alertId) ?? []) {
        if (this.#suspects.get(key)?.alertId === alertId && this.#suspects.delete(key)) cleared += 1;
      }
      this.#alertUnits.delete(alertId);
      if (cleared > 0) this.#onSuspectsChanged?.();
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
    if (keys.length > 0) this.#onSuspectsChanged?.();
    return keys.length;
  }

  /** Every suspect unit, oldest first (what the gateway persists). */
  listSuspects(): SuspectEntry[] {
    return [...this.#suspects].map(([unit, s]) => [unit, s.alertId, s.code] as const);
  }

  /** Puts back what listSuspects gave before a restart (oldest first; bounded as applyAlert is). */
  restoreSuspects(entries: readonly SuspectEntry[]): void {
    for (const [unit, alertId, code] of entries.slice(-this.#maxSuspects)) {
      this.#suspects.delete(unit);
      this.#suspects.set(unit, { alertId, code });
      const units = this.#alertUnits.get(alertId);
      if (units) units.push(unit);
      else this.#alertUnits.set(alertId, [unit]);
    }
  }

  /** Why this pack must not be dispensed, or undefined when nothing known stands against it. */
  check(unit: Pick<UnitRead, 'gtin' | 'serial' | 'lot'>): Refusal | undefined {
    for (const recallId of this.#byGtin.get(unit.gtin) ?? []) {
      const notice = this.#recalls.get(recallId);
      if (!notice) continue;
      const { lots, serials } = notice.scope;
      const closed = this.#closed.has(recallId) ? ', closed; the pack stays recalled' : '';
      const why = `recall ${recallId}${notice.class ? ` (class ${notice.class}${closed})` : closed ? ` (${closed.slice(2)})` : ''}${notice.reason ? `: ${notice.reason}` : ''}`;
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
