// Persists each scanner's session (open container, scanned counterparty, business transaction) before the read
// that changed it is acknowledged, so a restart continues the case or shipment where it was.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from './atomic-file.js';
import type { ScannerSession } from './plan-custody.js';

export class SessionStore {
  readonly #dir: string;
  readonly #fsync: boolean;

  constructor(dataDir: string, options: { fsync?: boolean } = {}) {
    this.#dir = join(dataDir, 'sessions');
    this.#fsync = options.fsync ?? true;
    mkdirSync(this.#dir, { recursive: true });
  }

  load(scanner: string): ScannerSession {
    try {
      const json = JSON.parse(readFileSync(join(this.#dir, `${scanner}.json`), 'utf8')) as unknown;
      return json !== null && typeof json === 'object' ? (json as ScannerSession) : {};
    } catch {
      return {};
    }
  }

  save(scanner: string, session: ScannerSession): void {
    writeFileAtomicSync(join(this.#dir, `${scanner}.json`), JSON.stringify(session), { fsync: this.#fsync });
  }
}
