// Suspect units learned from the ledger's site alerts, kept on disk so that a counter scan of a suspect pack is
// refused right after a reboot too: alerts are sent once (recall notices, by contrast, are retained on the broker
// and come again on every connection).
//
//   <dataDir>/suspects.json   {"v": 1, "suspects": [[unit, alertId, code], …]}   oldest first, replaced atomically
//
// Alerts can come in bursts; writes are coalesced: one in flight, at most one more with the latest state after it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import type { SuspectEntry } from './recall-register.js';

export interface SuspectStoreOptions {
  readonly dataDir: string;
  readonly fsync?: boolean;
  readonly onWarning?: (message: string, detail?: unknown) => void;
}

function isEntry(e: unknown): e is SuspectEntry {
  return Array.isArray(e) && e.length === 3 && e.every((x) => typeof x === 'string');
}

export class SuspectStore {
  readonly #path: string;
  readonly #o: SuspectStoreOptions;
  #snapshot: (() => readonly SuspectEntry[]) | undefined;
  #writing: Promise<void> | undefined;

  constructor(options: SuspectStoreOptions) {
    this.#o = options;
    this.#path = join(options.dataDir, 'suspects.json');
  }

  /** What was saved last; [] when there is nothing (or nothing readable: then a warning). */
  load(): SuspectEntry[] {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch {
      return [];
    }
    try {
      const json = JSON.parse(text) as { v?: unknown; suspects?: unknown };
      if (json.v === 1 && Array.isArray(json.suspects)) return json.suspects.filter(isEntry);
    } catch {
      // Reported below.
    }
    this.#o.onWarning?.(`${this.#path} is unreadable; suspect units from earlier alerts are forgotten`);
    return [];
  }

  /** Saves the state `snapshot` returns when the write happens (later calls before then cost nothing more). */
  save(snapshot: () => readonly SuspectEntry[]): void {
    this.#snapshot = snapshot;
    this.#writing ??= this.#drain();
  }

  /** Resolves once everything saved so far is on disk. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#snapshot) {
        const snapshot = this.#snapshot;
        this.#snapshot = undefined;
        try {
          await writeFileAtomic(this.#path, JSON.stringify({ v: 1, suspects: snapshot() }), { fsync: this.#o.fsync ?? true });
        } catch (e) {
          this.#o.onWarning?.('could not save the suspect units; a restart would forget the latest', e);
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }
}
