// What the Verify page says (server/http/pages/words.ts): the decision first, the most serious one, in words, and
// how a raw scan is shown back.
import { describe, expect, it } from 'vitest';
import { printableScan, stepWords, verdictOf, type VerificationView } from '../../server/http/pages/words.js';

const active = { state: 'active', quarantined: false, expiry: '2028-12-31' };
const view = (data: VerificationView['data'], unit: VerificationView['unit'] = active, alerts: { code: string }[] = []): VerificationView => ({ data, unit, alerts });

describe('the verdict on a verification', () => {
  it('says genuine and OK to dispense when verified with nothing against it', () => {
    expect(verdictOf(view({ verified: true }))).toMatchObject({ kind: 'genuine', tone: 'ok', headline: 'Genuine — OK to dispense' });
  });
  it('puts a recall first, even over a lot mismatch', () => {
    const v = verdictOf(view({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot', additionalInfo: 'Recalled' }));
    expect(v).toMatchObject({ kind: 'recalled', tone: 'danger', headline: 'RECALLED — do not dispense' });
  });
  it('calls a serial never commissioned an unknown pack, not to be dispensed', () => {
    for (const reason of ['No_match_GTIN', 'No_match_GTIN_Serial']) {
      expect(verdictOf(view({ verified: false, verificationFailureReason: reason }, null))).toMatchObject({ kind: 'unknown', tone: 'danger' });
    }
  });
  it('calls a lot or expiry mismatch suspect', () => {
    expect(verdictOf(view({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Expiry' })).headline).toBe('Suspect — expiry date does not match: quarantine and report');
  });
  it('explains a suspect pack already dispensed as a possible clone', () => {
    const v = verdictOf(view({ verified: true, additionalInfo: 'Suspect' }, { ...active, state: 'dispensed' }));
    expect(v).toMatchObject({ kind: 'suspect', tone: 'warning' });
    expect(v.advice).toContain('already dispensed');
  });
  it('says expired packs are not to be dispensed', () => {
    expect(verdictOf(view({ verified: true, additionalInfo: 'Expired' }, { ...active, expiry: '2020-01-31' }))).toMatchObject({ kind: 'expired', tone: 'danger' });
  });
});

describe('words for the ledger’s codes', () => {
  it('names custody steps, with a recall disposition taking precedence', () => {
    expect(stepWords('shipping')).toBe('Shipped');
    expect(stepWords('holding', 'recalled')).toBe('Recalled');
    expect(stepWords('some_new_step')).toBe('Some new step');
  });
  it('shows the GS separator and other control characters of a raw scan visibly', () => {
    expect(printableScan(']d20109506000134352\u001d21A\r')).toBe(']d20109506000134352␝21A␍');
  });
});
