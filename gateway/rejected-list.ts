// The local list of envelopes the ledger rejected (code, seq, eventID, the envelope itself), one JSON line each.
//
// An envelope leaves the outbox only on the ledger's receipt; a `rejected` receipt moves it here, fsynced first,
// so an operator can see what was refused and why (`gateway rejected`) and nothing is silently dropped.
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface RejectedEntry {
  readonly at: string;
  readonly seq: number;
  readonly code: string;
  readonly eventID?: string;
  /** The envelope as published (JSON text), when the gateway still held it. */
  readonly envelope?: string;
}

export class RejectedList {
  readonly #path: string;
  readonly #fsync: boolean;
  #count: number;

  constructor(dir: string, options: { fsync?: boolean } = {}) {
    this.#path = join(dir, 'rejected.jsonl');
    this.#fsync = options.fsync ?? true;
    this.#count = readRejected(dir).length;
  }

  get count(): number {
    return this.#count;
  }

  /** Appends one entry durably (rare: a healthy gateway is never rejected). */
  add(entry: RejectedEntry): void {
    const fd = openSync(this.#path, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      if (this.#fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#count += 1;
  }
}

/** Every entry of a gateway's rejected list (unreadable lines, e.g. a torn last line, are skipped). */
export function readRejected(dir: string): RejectedEntry[] {
  let text: string;
  try {
    text = readFileSync(join(dir, 'rejected.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const out: RejectedEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as RejectedEntry);
    } catch {
      // A line torn by a power cut.
    }
  }
  return out;
}
