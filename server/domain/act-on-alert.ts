// Shared by acknowledge-alert and resolve-alert: who may act on an alert, and the recorded note.
import type { AlertRecord } from './custody-model.js';
import { PedigreeError } from './pedigree-error.js';
import type { CustodyStore, TokenRecord } from './ports.js';

export const MAX_NOTE_LENGTH = 4000;

/** Admins, or a party the alert concerns (one of its sites). */
export async function actOnAlert(
  custody: CustodyStore,
  caller: TokenRecord,
  id: number,
  action: 'acknowledge' | 'resolve',
  note: unknown,
): Promise<AlertRecord> {
  if (typeof note !== 'string' || note.trim().length === 0 || note.length > MAX_NOTE_LENGTH) {
    throw new PedigreeError('VALIDATION_FAILED', `note must be a non-empty string of at most ${MAX_NOTE_LENGTH} characters`);
  }
  const alert = await custody.findAlert(id);
  if (!alert) throw new PedigreeError('NOT_FOUND', `no alert ${id}`);
  if (caller.role !== 'admin' && (caller.party === null || !alert.sites.includes(caller.party))) {
    throw new PedigreeError('FORBIDDEN', 'only an admin or a party the alert concerns may act on it');
  }
  if (alert.status === 'resolved') throw new PedigreeError('ALERT_RESOLVED', `alert ${id} is already resolved`);
  const status = action === 'resolve' ? 'resolved' : 'acknowledged';
  const updated = await custody.recordAlertAction(id, { action, note, actorParty: caller.party, actorRole: caller.role, tokenId: caller.id }, status);
  if (!updated) throw new PedigreeError('NOT_FOUND', `no alert ${id}`);
  return updated;
}
