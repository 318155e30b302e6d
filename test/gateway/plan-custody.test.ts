import { describe, expect, it } from 'vitest';
import type { ScannerMode } from '../../gateway/config.js';
import type { Read } from '../../gateway/decode-read.js';
import { planCustody, type CustodyContext, type CustodyPlan, type ScannerSession } from '../../gateway/plan-custody.js';
import { validateEpcisEvent } from '../../schemas/epcis/validate.js';

const SITE = { party: '4012345000009', location: { gln: '4012345000009', extension: 'dock1' }, timeZoneOffset: '+01:00' };
const HERE = 'https://id.gs1.org/414/4012345000009/254/dock1';
const OTHER = '4098765000003';
const unit: Read = { kind: 'unit', gtin: '09506000134352', serial: 'S1', lot: 'L1', expiry: '2028-12-31', key: '01/09506000134352/21/S1' };
const bare: Read = { kind: 'unit', gtin: '09506000134352', serial: 'S2', key: '01/09506000134352/21/S2' };
const caseRead: Read = { kind: 'container', sscc: '106141411234567897', key: '00/106141411234567897' };
const palletRead: Read = { kind: 'container', sscc: '006141410000000012', key: '00/006141410000000012' };
const party: Read = { kind: 'party', gln: OTHER, key: `417/${OTHER}` };

function ctx(mode: ScannerMode, session: ScannerSession = {}, scanner: CustodyContext['scanner'] = {}): CustodyContext {
  return { mode, site: SITE, scanner, session, eventTime: new Date('2026-03-01T09:15:00Z') };
}

function event(r: ReturnType<typeof planCustody>): Record<string, any> {
  expect(r.ok).toBe(true);
  const plan = (r as { value: CustodyPlan }).value;
  expect(plan.kind).toBe('event');
  const e = (plan as { event: Record<string, any> }).event;
  expect(validateEpcisEvent(e).ok).toBe(true);
  expect(e.eventID).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  expect(e.readPoint).toEqual({ id: HERE });
  expect(e.eventTime).toBe('2026-03-01T10:15:00.000+01:00');
  return e;
}

const codeOf = (r: ReturnType<typeof planCustody>) => (r.ok ? r.value.kind : r.code);

describe('what a read means at each kind of scanner', () => {
  describe('commissioning', () => {
    it('commissions the pack with lot and expiry as ILMD', () => {
      const e = event(planCustody(unit, ctx('commissioning')));
      expect(e).toMatchObject({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active', bizLocation: { id: HERE } });
      expect(e.epcList).toEqual(['https://id.gs1.org/01/09506000134352/21/S1']);
      expect(e.ilmd).toEqual({ 'cbvmda:lotNumber': 'L1', 'cbvmda:itemExpirationDate': '2028-12-31' });
    });

    it('takes lot and expiry from the scanner configuration when the read has none (RFID)', () => {
      expect(event(planCustody(bare, ctx('commissioning', {}, { lot: 'CFG', expiry: '2029-01-31' }))).ilmd).toEqual({
        'cbvmda:lotNumber': 'CFG',
        'cbvmda:itemExpirationDate': '2029-01-31',
      });
    });

    it('refuses a pack without lot or expiry, and a case', () => {
      expect(codeOf(planCustody(bare, ctx('commissioning')))).toBe('ILMD_MISSING');
      expect(codeOf(planCustody(caseRead, ctx('commissioning')))).toBe('WRONG_KIND');
    });
  });

  describe('packing', () => {
    it('opens a case with its SSCC, packs each unit into it, and closes it with the same SSCC', () => {
      const opened = planCustody(caseRead, ctx('packing'));
      expect(opened).toMatchObject({ ok: true, value: { kind: 'session', session: { container: caseRead.sscc } } });
      const e = event(planCustody(unit, ctx('packing', { container: caseRead.sscc })));
      expect(e).toMatchObject({ type: 'AggregationEvent', action: 'ADD', bizStep: 'packing', parentID: `https://id.gs1.org/00/${caseRead.sscc}` });
      expect(e.childEPCs).toEqual(['https://id.gs1.org/01/09506000134352/21/S1']);
      const closed = planCustody(caseRead, ctx('packing', { container: caseRead.sscc }));
      expect(closed).toMatchObject({ ok: true, value: { kind: 'session', session: {} } });
    });

    it('puts cases onto an open pallet', () => {
      const e = event(planCustody(caseRead, ctx('packing', { container: palletRead.sscc })));
      expect(e.parentID).toBe(`https://id.gs1.org/00/${palletRead.sscc}`);
      expect(e.childEPCs).toEqual([`https://id.gs1.org/00/${caseRead.sscc}`]);
    });

    it('refuses a unit before any case is open', () => {
      expect(codeOf(planCustody(unit, ctx('packing')))).toBe('NO_OPEN_CONTAINER');
    });
  });

  describe('shipping', () => {
    it('ships to the configured destination with the business transaction', () => {
      const e = event(
        planCustody(caseRead, ctx('shipping', {}, { counterparty: { party: OTHER, location: { gln: OTHER, extension: 'in' } }, bizTransaction: { type: 'desadv', id: 'urn:epcglobal:cbv:bt:4012345000009:D1' } })),
      );
      expect(e).toMatchObject({ action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit' });
      expect(e.bizLocation).toBeUndefined();
      expect(e.sourceList).toEqual([
        { type: 'owning_party', source: 'https://id.gs1.org/417/4012345000009' },
        { type: 'location', source: HERE },
      ]);
      expect(e.destinationList).toEqual([
        { type: 'owning_party', destination: `https://id.gs1.org/417/${OTHER}` },
        { type: 'location', destination: `https://id.gs1.org/414/${OTHER}/254/in` },
      ]);
      expect(e.bizTransactionList).toEqual([{ type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:D1' }]);
    });

    it('takes the destination and the purchase order from labels scanned at the dock', () => {
      const s1 = planCustody(party, ctx('shipping'));
      expect(s1).toMatchObject({ ok: true, value: { kind: 'session', session: { counterparty: { party: OTHER } } } });
      const session = (s1 as { value: { session: ScannerSession } }).value.session;
      const s2 = planCustody({ kind: 'document', ai: '400', value: 'PO 9', key: '400/PO 9' }, ctx('shipping', session));
      const withPo = (s2 as { value: { session: ScannerSession } }).value.session;
      expect(withPo.bizTransaction).toEqual({ type: 'po', id: `urn:epcglobal:cbv:bt:${OTHER}:PO%209` });
      const e = event(planCustody(unit, ctx('shipping', withPo, { counterparty: { party: '4055555000001' } })));
      expect(e.destinationList).toEqual([{ type: 'owning_party', destination: `https://id.gs1.org/417/${OTHER}` }]);
    });

    it('refuses to ship without a destination', () => {
      expect(codeOf(planCustody(unit, ctx('shipping')))).toBe('NO_COUNTERPARTY');
    });
  });

  it('receives from the source into stock here, and takes returns back', () => {
    const r = event(planCustody(caseRead, ctx('receiving', {}, { counterparty: { party: OTHER } })));
    expect(r).toMatchObject({ bizStep: 'receiving', disposition: 'active', bizLocation: { id: HERE } });
    expect(r.sourceList).toEqual([{ type: 'owning_party', source: `https://id.gs1.org/417/${OTHER}` }]);
    expect(r.destinationList[0]).toEqual({ type: 'owning_party', destination: 'https://id.gs1.org/417/4012345000009' });
    const back = event(planCustody(unit, ctx('returning', {}, { counterparty: { party: OTHER } })));
    expect(back).toMatchObject({ bizStep: 'receiving', disposition: 'returned' });
  });

  it('dispenses and destroys packs, never cases', () => {
    expect(event(planCustody(unit, ctx('dispensing')))).toMatchObject({ bizStep: 'dispensing', disposition: 'dispensed', action: 'OBSERVE' });
    expect(event(planCustody(unit, ctx('destroying')))).toMatchObject({ bizStep: 'destroying', disposition: 'destroyed', action: 'DELETE' });
    expect(codeOf(planCustody(caseRead, ctx('dispensing')))).toBe('WRONG_KIND');
    expect(codeOf(planCustody(caseRead, ctx('destroying')))).toBe('WRONG_KIND');
  });

  it('verify mode records nothing: it asks', () => {
    expect(planCustody(unit, ctx('verify'))).toMatchObject({ ok: true, value: { kind: 'verify', unit } });
    expect(codeOf(planCustody(party, ctx('verify')))).toBe('WRONG_KIND');
  });

  it('builds the same event ID for the same read at the same instant', () => {
    const a = event(planCustody(unit, ctx('dispensing')));
    const b = event(planCustody(unit, ctx('dispensing')));
    expect(a.eventID).toBe(b.eventID);
  });
});
