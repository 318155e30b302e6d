// What a recall scope covers (DESIGN.md §8): GTIN with lots, GTIN with serials, GTIN alone, narrowed by expiry.
import { describe, expect, it } from 'vitest';
import { recallCovers } from '../../server/domain/recall-scope.js';
import { recallStatusOf } from '../../server/domain/report-recall.js';
import { emptyState } from '../../server/domain/custody-model.js';

const GTIN = '09506000134352';
const unit = (over: { serial?: string; lot?: string | null; expiry?: string | null; gtin?: string } = {}) => ({
  gtin: over.gtin ?? GTIN,
  serial: over.serial ?? 'S1',
  lot: over.lot === undefined ? 'L1' : over.lot,
  expiry: over.expiry === undefined ? '2028-06-30' : over.expiry,
});

describe('recallCovers', () => {
  it('covers every unit of the GTIN when the scope names no lot or serial (a withdrawal)', () => {
    expect(recallCovers({ gtin: GTIN }, unit())).toBe(true);
    expect(recallCovers({ gtin: GTIN }, unit({ gtin: '09506000134369' }))).toBe(false);
  });
  it('covers only the lots or serials named', () => {
    expect(recallCovers({ gtin: GTIN, lots: ['L1'] }, unit())).toBe(true);
    expect(recallCovers({ gtin: GTIN, lots: ['L2'] }, unit())).toBe(false);
    expect(recallCovers({ gtin: GTIN, lots: ['L1'] }, unit({ lot: null }))).toBe(false);
    expect(recallCovers({ gtin: GTIN, serials: ['S1'] }, unit())).toBe(true);
    expect(recallCovers({ gtin: GTIN, serials: ['S2'] }, unit())).toBe(false);
  });
  it('narrows by an inclusive expiry range', () => {
    expect(recallCovers({ gtin: GTIN, expiryFrom: '2028-06-30', expiryTo: '2028-06-30' }, unit())).toBe(true);
    expect(recallCovers({ gtin: GTIN, expiryFrom: '2028-07-01' }, unit())).toBe(false);
    expect(recallCovers({ gtin: GTIN, expiryTo: '2028-06-29' }, unit())).toBe(false);
    expect(recallCovers({ gtin: GTIN, expiryTo: '2028-06-29' }, unit({ expiry: null }))).toBe(false);
  });
});

describe('recallStatusOf', () => {
  const base = { ...emptyState(`https://id.gs1.org/01/${GTIN}/21/S1`), owner: 'M', commissionedIndex: 1 };
  it('counts a unit back at its manufacturer after it left as returned, one that never left as in stock', () => {
    expect(recallStatusOf({ ...base, state: 'active', custodian: 'M', custodyIndex: 1 })).toBe('in_stock');
    expect(recallStatusOf({ ...base, state: 'active', custodian: 'M', custodyIndex: 9 })).toBe('returned');
    expect(recallStatusOf({ ...base, state: 'active', custodian: 'P', custodyIndex: 5 })).toBe('in_stock');
  });
  it('maps the other states, and a unit only seen as never commissioned', () => {
    expect(recallStatusOf({ ...base, state: 'in_transit' })).toBe('in_transit');
    expect(recallStatusOf({ ...base, state: 'dispensed' })).toBe('dispensed');
    expect(recallStatusOf({ ...base, state: 'destroyed' })).toBe('destroyed');
    expect(recallStatusOf({ ...base, state: 'unknown', commissionedIndex: null })).toBe('never_commissioned');
  });
});
