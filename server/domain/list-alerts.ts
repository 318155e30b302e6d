// Lists alerts by code, GTIN, site and time (DESIGN.md §6); filters are attacker-controlled and checked here.
import { ALERT_CODES } from '../../schemas/codes.js';
import type { AlertRecord, AlertStatus } from './custody-model.js';
import { requireGln } from './identifiers.js';
import { PedigreeError } from './pedigree-error.js';
import type { AlertFilter, CustodyStore } from './ports.js';
import { storableInstantOf } from './storable-instant.js';

export interface ListAlertsInput {
  readonly code?: string | undefined;
  readonly gtin?: string | undefined;
  readonly site?: string | undefined;
  readonly since?: string | undefined;
  readonly status?: string | undefined;
  readonly beforeId?: number | undefined;
  readonly limit?: number | undefined;
}

const STATUSES = ['open', 'acknowledged', 'resolved', 'unresolved'] as const;

export async function listAlerts(custody: CustodyStore, input: ListAlertsInput): Promise<AlertRecord[]> {
  const filter: { -readonly [K in keyof AlertFilter]: AlertFilter[K] } = { limit: Math.min(Math.max(input.limit ?? 100, 1), 1000) };
  if (input.code !== undefined && input.code !== '') {
    if (!(ALERT_CODES as readonly string[]).includes(input.code)) {
      throw new PedigreeError('BAD_REQUEST', `code must be one of ${ALERT_CODES.join(', ')}`);
    }
    filter.code = input.code;
  }
  if (input.gtin !== undefined && input.gtin !== '') {
    if (!/^[0-9]{8}$|^[0-9]{12,14}$/.test(input.gtin)) throw new PedigreeError('BAD_REQUEST', 'gtin must be a GTIN-8, 12, 13 or 14');
    filter.gtin = input.gtin.padStart(14, '0');
  }
  if (input.site !== undefined && input.site !== '') filter.site = requireGln(input.site, 'site');
  if (input.since !== undefined && input.since !== '') {
    const since = storableInstantOf(input.since);
    if (since === undefined) throw new PedigreeError('BAD_REQUEST', 'since must be an ISO 8601 date or date-time, years 0001–9999');
    filter.since = since;
  }
  if (input.status !== undefined && input.status !== '') {
    if (!(STATUSES as readonly string[]).includes(input.status)) throw new PedigreeError('BAD_REQUEST', `status must be one of ${STATUSES.join(', ')}`);
    filter.status = input.status as AlertStatus | 'unresolved';
  }
  if (input.beforeId !== undefined) filter.beforeId = input.beforeId;
  return custody.listAlerts(filter);
}
