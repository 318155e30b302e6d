// Resolves an alert with a note (recorded with who wrote it).
import { actOnAlert } from './act-on-alert.js';
import type { AlertRecord } from './custody-model.js';
import type { CustodyStore, TokenRecord } from './ports.js';

export function resolveAlert(custody: CustodyStore, caller: TokenRecord, id: number, note: unknown): Promise<AlertRecord> {
  return actOnAlert(custody, caller, id, 'resolve', note);
}
