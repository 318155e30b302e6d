// Records one request made with a regulator token (DESIGN.md §9: every regulator query is itself logged).
import type { AccessStore, TokenRecord } from './ports.js';

const MAX_TARGET = 2000;

export async function recordRegulatorQuery(
  access: AccessStore,
  caller: TokenRecord,
  request: { readonly method: string; readonly target: string; readonly status: number },
): Promise<void> {
  // The target is attacker-controlled (the regulator's own URL): bounded, kept verbatim otherwise.
  const target = request.target.length > MAX_TARGET ? `${request.target.slice(0, MAX_TARGET)}…` : request.target;
  await access.recordRegulatorQuery({ tokenId: caller.id, party: caller.party, method: request.method.slice(0, 16), target, status: request.status });
}
