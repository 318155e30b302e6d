// Lists recorded regulator requests for admins, newest first; filters are attacker-controlled and checked here.
import type { AccessStore, RegulatorQueryRecord } from './ports.js';
import { requireGln } from './identifiers.js';
import { PedigreeError } from './pedigree-error.js';
import { storableInstantOf } from './storable-instant.js';

export interface ListRegulatorQueriesInput {
  readonly party?: string | undefined;
  readonly since?: string | undefined;
  readonly beforeId?: number | undefined;
  readonly limit?: number | undefined;
}

export async function listRegulatorQueries(access: AccessStore, input: ListRegulatorQueriesInput): Promise<RegulatorQueryRecord[]> {
  const filter: { party?: string; since?: string; beforeId?: number; limit: number } = {
    limit: Math.min(Math.max(input.limit ?? 100, 1), 1000),
  };
  if (input.party !== undefined && input.party !== '') filter.party = requireGln(input.party, 'party');
  if (input.since !== undefined && input.since !== '') {
    const since = storableInstantOf(input.since);
    if (since === undefined) throw new PedigreeError('BAD_REQUEST', 'since must be an ISO 8601 date or date-time, years 0001–9999');
    filter.since = since;
  }
  if (input.beforeId !== undefined) filter.beforeId = input.beforeId;
  return access.listRegulatorQueries(filter);
}
