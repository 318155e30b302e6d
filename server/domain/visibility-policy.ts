// Who may see what (DESIGN.md §9): pure rules over a caller and facts already read, no I/O.
//
// - An admin and a regulator see everything (every regulator request is recorded: regulator-audit).
// - A party sees the events it was part of — it recorded them (its device or its capture token), or they name it
//   (readPoint or bizLocation at one of its locations, or it or one of its locations in sourceList/destinationList)
//   — and the whole pedigree of every unit or container it has held (recorded an event about, directly or through
//   a container).
// - A manufacturer also sees the whole pedigree of its own GTINs. A GTIN is its own when it falls under a GS1
//   Company Prefix an admin registered to it (POST /v1/parties/{gln}/company-prefixes): GS1 licenses prefixes, so
//   this is an authoritative, registry-held fact. "GTINs it commissioned" was refused: anyone can commission any
//   GTIN, and a counterfeiter commissioning one serial would then see the whole pedigree of someone else's product.
//   The same holds for SSCCs (its logistic units) under its prefixes.
// - Verifying a pack is open to any pharmacy, distributor, regulator or admin token; a manufacturer verifies only
//   its own GTINs (verification returns the pedigree).
import type { AccessScope, PartyRole, TokenRecord } from './ports.js';

/** Roles that see everything. */
export const ALL_SEEING_ROLES: readonly PartyRole[] = ['admin', 'regulator'];

/** Roles that capture EPCIS events: the parties that handle goods (a regulator does not; an admin has no party). */
export const CAPTURING_ROLES: readonly PartyRole[] = ['manufacturer', 'distributor', 'pharmacy'];

/** Roles that may verify any pack (a manufacturer may verify its own GTINs). */
export const VERIFYING_ROLES: readonly PartyRole[] = ['pharmacy', 'distributor', 'regulator'];

/** GS1 Company Prefixes are 4 to 12 digits (GS1 GenSpecs §1.4.4); 4–5 only for historical prefixes. */
export const COMPANY_PREFIX_PATTERN = /^[0-9]{4,12}$/;

export function seesEverything(caller: Pick<TokenRecord, 'role'>): boolean {
  return ALL_SEEING_ROLES.includes(caller.role);
}

/** The caller's scope, given its party's locations and company prefixes (ignored for all-seeing roles). */
export function accessScopeOf(
  caller: Pick<TokenRecord, 'role' | 'party'>,
  facts: { readonly locations: readonly string[]; readonly companyPrefixes: readonly string[] },
): AccessScope {
  if (seesEverything(caller)) return { kind: 'everything' };
  if (caller.party === null) return { kind: 'party', party: '', role: caller.role, locations: [], companyPrefixes: [] };
  return {
    kind: 'party',
    party: caller.party,
    role: caller.role,
    locations: facts.locations,
    // Only a manufacturer owns GTINs; a prefix on another party grants nothing.
    companyPrefixes: caller.role === 'manufacturer' ? facts.companyPrefixes : [],
  };
}

/**
 * Whether a GTIN-14 falls under one of the prefixes. GTIN-14 = indicator digit ‖ GTIN-13 (GS1 GenSpecs §3.3.2), and
 * a GTIN-13 (GTIN-12, -8 zero-padded) begins with the company prefix.
 */
export function gtinUnderPrefixes(gtin: string, prefixes: readonly string[]): boolean {
  if (!/^[0-9]{14}$/.test(gtin)) return false;
  const gtin13 = gtin.slice(1);
  return prefixes.some((p) => gtin13.startsWith(p));
}

/** Whether an SSCC (extension digit ‖ company prefix ‖ serial reference ‖ check digit) falls under one of the prefixes. */
export function ssccUnderPrefixes(sscc: string, prefixes: readonly string[]): boolean {
  if (!/^[0-9]{18}$/.test(sscc)) return false;
  return prefixes.some((p) => sscc.slice(1).startsWith(p));
}

/** The GS1 key an identifier's chain is keyed by (DESIGN.md §2), for the ownership test. */
export function keyOfIdentifier(epc: string): { gtin: string } | { sscc: string } | undefined {
  const unit = /^https:\/\/id\.gs1\.org\/01\/([0-9]{14})\//.exec(epc);
  if (unit) return { gtin: unit[1]! };
  const container = /^https:\/\/id\.gs1\.org\/00\/([0-9]{18})$/.exec(epc);
  return container ? { sscc: container[1]! } : undefined;
}

/** Whether the scope's manufacturer owns the identifier's GTIN or SSCC. */
export function ownsIdentifier(scope: AccessScope, epc: string): boolean {
  if (scope.kind === 'everything') return true;
  const key = keyOfIdentifier(epc);
  if (!key || scope.companyPrefixes.length === 0) return false;
  return 'gtin' in key ? gtinUnderPrefixes(key.gtin, scope.companyPrefixes) : ssccUnderPrefixes(key.sscc, scope.companyPrefixes);
}

/** Whether the scope may see a unit or container, knowing whether its party has held it. */
export function canSeeIdentifier(scope: AccessScope, epc: string, heldByParty: boolean): boolean {
  return scope.kind === 'everything' || heldByParty || ownsIdentifier(scope, epc);
}

/** Whether the caller may verify a pack of this GTIN (DSCSA verification is open to trading partners that dispense or distribute). */
export function canVerify(caller: Pick<TokenRecord, 'role'>, scope: AccessScope, gtin: string): boolean {
  if (caller.role === 'admin' || VERIFYING_ROLES.includes(caller.role)) return true;
  return scope.kind === 'party' && caller.role === 'manufacturer' && gtinUnderPrefixes(gtin, scope.companyPrefixes);
}

/** Whether the caller may see an alert: it concerns one of the caller's sites, or (a manufacturer) one of its GTINs. */
export function canSeeAlert(scope: AccessScope, alert: { readonly sites: readonly string[]; readonly gtin: string | null }): boolean {
  if (scope.kind === 'everything') return true;
  if (scope.party !== '' && alert.sites.includes(scope.party)) return true;
  return alert.gtin !== null && gtinUnderPrefixes(alert.gtin, scope.companyPrefixes);
}

/** Whether the caller may read a capture job: the party that captured it, or an all-seeing role. */
export function canSeeCaptureJob(caller: Pick<TokenRecord, 'role' | 'party'>, job: { readonly party: string }): boolean {
  return seesEverything(caller) || (caller.party !== null && caller.party === job.party);
}

/**
 * Whether an alert list filter stays within the caller's view: a party lists the alerts of its own site, a
 * manufacturer those of one of its GTINs too. Anything broader is refused rather than silently narrowed.
 */
export function canListAlerts(scope: AccessScope, filter: { readonly site?: string | undefined; readonly gtin?: string | undefined }): boolean {
  if (scope.kind === 'everything') return true;
  if (filter.site !== undefined && filter.site === scope.party) return true;
  return filter.gtin !== undefined && gtinUnderPrefixes(filter.gtin.padStart(14, '0'), scope.companyPrefixes);
}
