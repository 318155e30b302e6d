// Party names for pedigree steps, kept in memory by the unit view (custody-store.ts). Parties are only ever inserted
// (registry-store.ts insertParty; no statement updates or deletes one), so a name once read is never stale, in this
// process or in any other on the same database, and the verification's query need not join parties for every step
// (≈ 12 % of PostgreSQL's CPU a unit view; bench/RESULTS.md, session 12). A GLN without a party row is looked up
// again after `retryMs`: the party may be registered later, by this process or another.
import type { SqlExecutor } from './sql-client.js';

export interface PartyNamesOptions {
  /** How long a GLN found without a party row is answered as nameless before it is looked up again (default 5 s). */
  readonly retryMs?: number;
  /** Most GLNs remembered as nameless (default 10,000); past it the record starts over. */
  readonly maxAbsent?: number;
}

export class PartyNames {
  readonly #db: SqlExecutor;
  readonly #retryMs: number;
  readonly #maxAbsent: number;
  readonly #names = new Map<string, string>();
  /** GLN → when it was last found without a party row (performance.now()). */
  readonly #absent = new Map<string, number>();

  constructor(db: SqlExecutor, options: PartyNamesOptions = {}) {
    this.#db = db;
    this.#retryMs = options.retryMs ?? 5_000;
    this.#maxAbsent = options.maxAbsent ?? 10_000;
  }

  /**
   * Names by GLN, holding at least every name among `glns` that has a party row: one query for those not known yet,
   * none when all are. The map returned is the cache itself, read-only to the caller.
   */
  async namesOf(glns: Iterable<string>): Promise<ReadonlyMap<string, string>> {
    let unknown: string[] | undefined;
    const now = performance.now();
    for (const gln of glns) {
      if (this.#names.has(gln)) continue;
      const absentSince = this.#absent.get(gln);
      if (absentSince !== undefined && now - absentSince < this.#retryMs) continue;
      (unknown ??= []).push(gln);
    }
    if (unknown === undefined) return this.#names;
    const asked = [...new Set(unknown)];
    const rows = await this.#db.query<{ gln: string; name: string }>('SELECT gln, name FROM parties WHERE gln = ANY($1::text[])', [asked], { prepare: true });
    for (const r of rows) {
      this.#names.set(r.gln, r.name);
      this.#absent.delete(r.gln);
    }
    if (this.#absent.size + asked.length > this.#maxAbsent) this.#absent.clear();
    for (const gln of asked) if (!this.#names.has(gln)) this.#absent.set(gln, now);
    return this.#names;
  }
}
