// Keeps the custody projection caught up with the log: takes each committed ingest batch, applies the rules in their
// own transaction under a watermark ("applied through index N"), then publishes the alerts. Whatever is missing
// (a crash between the append and the rules, another process's batches) is read back from the log, so the
// projection never diverges from it; rebuild-state replays it all.
import type { AppendOutcome } from './append-entries.js';
import { alertJson, applyCustodyRules, type AppliedEntry } from './apply-custody-rules.js';
import type { AlertRecord } from './custody-model.js';
import type { CustodyStore, Notifier } from './ports.js';
import type { ActiveRecallScope } from './recall-scope.js';

export interface CustodyProjectorOptions {
  readonly custody: CustodyStore;
  readonly notifier?: Pick<Notifier, 'publishAlert'>;
  /**
   * Most entries applied in one rules transaction (default 5000). After a failed transaction the next one takes half
   * as many, down to one, then twice as many again after each success: an entry the store refuses holds back only
   * itself, not the entries before it in its batch, and the failure names it.
   */
  readonly maxBatch?: number;
  readonly retryMs?: number;
  readonly onError?: (error: unknown, context: string) => void;
  /** Recall scopes in force, read before each rules transaction (recall-scope.ts). */
  readonly recallScopes?: () => Promise<readonly ActiveRecallScope[]>;
}


export class CustodyProjector {
  readonly #o: CustodyProjectorOptions;
  readonly #maxBatch: number;
  /** Entries the next rules transaction may take: #maxBatch, or less while a failure is being narrowed down. */
  #limit: number;
  /** The entries the running transaction applies, for the failure report. */
  #tried: { readonly from: number; readonly to: number } | undefined;
  #pending: AppliedEntry[] = [];
  #running: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #parties = new Map<string, string | null>();
  #failure: { since: string; attempts: number; message: string } | undefined;

  constructor(options: CustodyProjectorOptions) {
    this.#o = options;
    this.#maxBatch = options.maxBatch ?? 5000;
    this.#limit = this.#maxBatch;
  }

  /** The ingest hook: queues the accepted entries of a committed batch and returns at once. */
  readonly onAppended = (outcomes: readonly AppendOutcome[]): void => {
    for (const o of outcomes) {
      if (o.status !== 'accepted') continue;
      const c = o.candidate;
      this.#pending.push({
        index: o.index,
        eventId: c.eventId,
        eventTime: c.eventTime,
        event: c.event,
        device: c.device,
        party: c.party ?? null,
        ...(c.named ? { named: c.named } : {}),
      });
    }
    this.#kick();
  };

  /**
   * Set while the rules keep failing: the projection (unit states, alerts, what verification answers) stays behind
   * the log until they succeed. Since when, how many attempts, the last error; undefined once an attempt succeeds.
   */
  get failure(): { readonly since: string; readonly attempts: number; readonly message: string } | undefined {
    return this.#failure;
  }

  /** Applies everything the log holds beyond the watermark (start-up, after a crash). */
  async catchUp(): Promise<void> {
    await this.drain();
    this.#running = this.#loop(true);
    await this.drain();
  }

  /** Resolves once everything queued so far is applied (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    await this.drain();
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
  }

  #kick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = this.#loop(false);
  }

  async #loop(readLog: boolean): Promise<void> {
    try {
      for (;;) {
        let progressed: boolean;
        try {
          progressed = await this.#once(readLog);
        } catch (e) {
          const tried = this.#tried;
          this.#recordFailure(e, tried);
          if (tried === undefined || tried.to === tried.from || this.#stopped) throw e;
          // Perhaps one entry the store refuses: halve until it stands alone; the entries before it go in meanwhile.
          this.#limit = Math.max(1, Math.floor((tried.to - tried.from + 1) / 2));
          this.#o.onError?.(e, `custody rules on entries ${tried.from}-${tried.to}; trying again ${this.#limit} at a time`);
          continue;
        }
        this.#failure = undefined;
        this.#limit = Math.min(this.#maxBatch, this.#limit * 2);
        if (!progressed) break;
      }
    } catch (e) {
      this.#o.onError?.(e, 'custody rules');
      // The watermark did not move: retry from it (the queue is re-read from the log if need be).
      if (!this.#stopped && !this.#retry) {
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          if (!this.#running && !this.#stopped) this.#running = this.#loop(true);
        }, this.#o.retryMs ?? 1000);
        this.#retry.unref?.();
      }
    } finally {
      this.#running = undefined;
      if (this.#pending.length > 0 && !this.#retry) this.#kick();
    }
  }

  #recordFailure(e: unknown, tried: { readonly from: number; readonly to: number } | undefined): void {
    const error = String((e as Error)?.message ?? e).slice(0, 300);
    const message = tried === undefined ? error : tried.from === tried.to ? `entry ${tried.from}: ${error}` : `entries ${tried.from}-${tried.to}: ${error}`;
    this.#failure = { since: this.#failure?.since ?? new Date().toISOString(), attempts: (this.#failure?.attempts ?? 0) + 1, message };
  }

  /** One rules transaction; false when there was nothing to apply. */
  async #once(readLog: boolean): Promise<boolean> {
    this.#tried = undefined;
    const limit = this.#limit;
    const taken = this.#pending;
    const recalls = (await this.#o.recallScopes?.()) ?? [];
    const result = await this.#o.custody.apply(async (tx) => {
      const through = await tx.appliedThrough();
      const queued = taken.filter((e) => e.index > through).sort((a, b) => a.index - b.index);
      let batch: AppliedEntry[] = [];
      if (queued[0]?.index === through + 1) {
        for (const e of queued) {
          if (e.index !== through + 1 + batch.length || batch.length >= limit) break;
          batch.push(e);
        }
      } else if (queued.length > 0 || readLog) {
        // A gap (another process, a failed earlier attempt, a restart): read it back from the log.
        const upTo = queued[0] !== undefined ? queued[0].index - (through + 1) : limit;
        const rows = await tx.entries(through + 1, Math.min(upTo, limit));
        batch = rows;
      }
      if (batch.length === 0) return { applied: 0, raised: [] as readonly AlertRecord[], resolved: [] as readonly AlertRecord[], through };
      this.#tried = { from: batch[0]!.index, to: batch.at(-1)!.index };
      const applied = await applyCustodyRules(tx, batch, { parties: this.#parties, recalls });
      return { applied: batch.length, raised: applied.raised, resolved: applied.resolved, through: applied.appliedThrough };
    });
    // Only what is now applied leaves the queue; what arrived meanwhile stays.
    this.#pending = this.#pending.filter((e) => e.index > result.through);
    await this.#publish([...result.raised, ...result.resolved]);
    return result.applied > 0;
  }

  async #publish(alerts: readonly AlertRecord[]): Promise<void> {
    const publish = this.#o.notifier?.publishAlert?.bind(this.#o.notifier);
    if (!publish || alerts.length === 0) return;
    await Promise.all(
      alerts.flatMap((a) =>
        a.sites.map((site) => publish(site, alertJson(a)).catch((e: unknown) => this.#o.onError?.(e, 'alert publication'))),
      ),
    );
  }
}
