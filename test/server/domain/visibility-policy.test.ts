import { describe, expect, it } from 'vitest';
import {
  accessScopeOf,
  canListAlerts,
  canSeeAlert,
  canSeeCaptureJob,
  canSeeIdentifier,
  canVerify,
  gtinUnderPrefixes,
  ownsIdentifier,
  ssccUnderPrefixes,
} from '../../../server/domain/visibility-policy.js';
import type { PartyRole } from '../../../server/domain/ports.js';

const MAKER = '9506000000008';
const facts = { locations: ['https://id.gs1.org/414/9506000000008'], companyPrefixes: ['9506000'] };
const caller = (role: PartyRole, party: string | null = MAKER) => ({ id: 1, role, party, revoked: false });
const UNIT = 'https://id.gs1.org/01/09506000134352/21/A1';
const OTHER = 'https://id.gs1.org/01/04012345123456/21/A1';

describe('the visibility policy', () => {
  it('gives an admin and a regulator everything', () => {
    for (const role of ['admin', 'regulator'] as const) {
      const scope = accessScopeOf(caller(role, role === 'admin' ? null : MAKER), facts);
      expect(scope).toEqual({ kind: 'everything' });
      expect(canSeeIdentifier(scope, OTHER, false)).toBe(true);
      expect(canSeeAlert(scope, { sites: [], gtin: null })).toBe(true);
    }
  });

  it('gives a manufacturer the GTINs and SSCCs under its registered prefixes, whatever the indicator digit', () => {
    const scope = accessScopeOf(caller('manufacturer'), facts);
    expect(ownsIdentifier(scope, UNIT)).toBe(true);
    expect(ownsIdentifier(scope, 'https://id.gs1.org/01/19506000134359/21/A1')).toBe(true);
    expect(ownsIdentifier(scope, OTHER)).toBe(false);
    expect(ownsIdentifier(scope, 'https://id.gs1.org/00/395060000000000018')).toBe(true);
    expect(gtinUnderPrefixes('09506000134352', ['950600'])).toBe(true);
    expect(gtinUnderPrefixes('09506000134352', ['9506001'])).toBe(false);
    expect(ssccUnderPrefixes('095060000000000018', ['9506000'])).toBe(true);
  });

  it('gives prefixes nothing to a party that is not a manufacturer', () => {
    const scope = accessScopeOf(caller('distributor'), facts);
    expect(scope.kind === 'party' && scope.companyPrefixes).toEqual([]);
    expect(canSeeIdentifier(scope, UNIT, false)).toBe(false);
    expect(canSeeIdentifier(scope, UNIT, true)).toBe(true);
  });

  it('opens verification to pharmacies, distributors, regulators and admins; a manufacturer verifies its own GTINs', () => {
    for (const role of ['pharmacy', 'distributor', 'regulator', 'admin'] as const) {
      expect(canVerify(caller(role), accessScopeOf(caller(role), facts), '04012345123456')).toBe(true);
    }
    const maker = accessScopeOf(caller('manufacturer'), facts);
    expect(canVerify(caller('manufacturer'), maker, '09506000134352')).toBe(true);
    expect(canVerify(caller('manufacturer'), maker, '04012345123456')).toBe(false);
  });

  it('shows an alert to its sites and the GTIN owner; lists only a party\'s own site or GTINs', () => {
    const pharmacy = accessScopeOf(caller('pharmacy', '9520000000007'), facts);
    expect(canSeeAlert(pharmacy, { sites: ['9520000000007'], gtin: '04012345123456' })).toBe(true);
    expect(canSeeAlert(pharmacy, { sites: ['9520000000014'], gtin: '09506000134352' })).toBe(false);
    expect(canSeeAlert(accessScopeOf(caller('manufacturer'), facts), { sites: [], gtin: '09506000134352' })).toBe(true);
    expect(canListAlerts(pharmacy, {})).toBe(false);
    expect(canListAlerts(pharmacy, { site: '9520000000007' })).toBe(true);
    expect(canListAlerts(pharmacy, { site: '9520000000014' })).toBe(false);
    expect(canListAlerts(accessScopeOf(caller('manufacturer'), facts), { gtin: '9506000134352' })).toBe(true);
  });

  it('shows a capture job to the party that captured it', () => {
    expect(canSeeCaptureJob(caller('pharmacy', 'A'), { party: 'A' })).toBe(true);
    expect(canSeeCaptureJob(caller('pharmacy', 'B'), { party: 'A' })).toBe(false);
    expect(canSeeCaptureJob(caller('regulator', 'B'), { party: 'A' })).toBe(true);
  });
});
