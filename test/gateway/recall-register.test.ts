import { describe, expect, it } from 'vitest';
import type { RecallNotice } from '../../gateway/ledger-messages.js';
import { RecallRegister } from '../../gateway/recall-register.js';

const GTIN = '09506000134352';
const notice = (id: string, scope: RecallNotice['scope'], extra: Partial<RecallNotice> = {}): RecallNotice => ({ id, scope, class: 'I', reason: 'contamination', ...extra });
const pack = (serial: string, lot?: string) => ({ gtin: GTIN, serial, ...(lot !== undefined ? { lot } : {}) });

describe('recalls and suspect packs at the counter', () => {
  it('refuses packs of a recalled lot, and lets other lots through', () => {
    const r = new RecallRegister();
    expect(r.applyRecall('R1', notice('R1', { gtin: GTIN, lots: ['L1', 'L2'] }))).toBe('added');
    expect(r.check(pack('S1', 'L2'))).toMatchObject({ code: 'RECALLED', recallId: 'R1' });
    expect(r.check(pack('S1', 'L3'))).toBeUndefined();
    expect(r.check({ gtin: '09506000134369', serial: 'S1', lot: 'L1' })).toBeUndefined();
  });

  it('keeps refusing the packs of a closed recall, which no longer counts as active', () => {
    const r = new RecallRegister();
    r.applyRecall('R1', notice('R1', { gtin: GTIN, lots: ['L1'] }));
    r.applyRecall('R2', notice('R2', { gtin: GTIN, lots: ['L2'] }));
    expect(r.recallCount).toBe(2);
    expect(r.applyRecall('R1', notice('R1', { gtin: GTIN, lots: ['L1'] }, { status: 'closed' }))).toBe('closed');
    expect(r.recallCount).toBe(1);
    expect(r.isClosed('R1')).toBe(true);
    expect(r.check(pack('S1', 'L1'))).toMatchObject({ code: 'RECALLED', recallId: 'R1' });
    expect(r.check(pack('S1', 'L1'))!.message).toContain('closed');
    // Known only as closed (a gateway connecting after the closure): still refused, still not active.
    expect(r.applyRecall('R3', notice('R3', { gtin: GTIN, serials: ['S9'] }, { status: 'closed' }))).toBe('closed');
    expect(r.check(pack('S9', 'L7'))).toMatchObject({ code: 'RECALLED', recallId: 'R3' });
    expect(r.recallCount).toBe(1);
  });

  it('cannot clear a pack without a lot against a lot recall', () => {
    const r = new RecallRegister();
    r.applyRecall('R1', notice('R1', { gtin: GTIN, lots: ['L1'] }));
    expect(r.check(pack('S1'))).toMatchObject({ code: 'RECALL_LOT_UNKNOWN' });
  });

  it('recalls single serials, or a whole GTIN', () => {
    const r = new RecallRegister();
    r.applyRecall('R1', notice('R1', { gtin: GTIN, serials: ['S9'] }));
    expect(r.check(pack('S9', 'L1'))).toMatchObject({ code: 'RECALLED' });
    expect(r.check(pack('S8', 'L1'))).toBeUndefined();
    r.applyRecall('R2', notice('R2', { gtin: GTIN }));
    expect(r.check(pack('S8', 'L1'))).toMatchObject({ code: 'RECALLED', recallId: 'R2' });
  });

  it('lifts a recall only on a signed withdrawal', () => {
    const r = new RecallRegister();
    r.applyRecall('R1', notice('R1', { gtin: GTIN }));
    expect(r.applyRecall('R1', notice('R1', { gtin: GTIN }, { status: 'withdrawn' }))).toBe('withdrawn');
    expect(r.check(pack('S1', 'L1'))).toBeUndefined();
    expect(r.recallCount).toBe(0);
  });

  it('marks packs named by an alert as suspect until the alert is resolved', () => {
    const r = new RecallRegister();
    expect(r.applyAlert({ id: 'A1', code: 'ALREADY_INACTIVE', unit: `https://id.gs1.org/01/${GTIN}/21/S5` })).toBe(1);
    r.applyAlert({ id: 'A2', code: 'LOCATION_CONFLICT', units: [{ gtin: GTIN, serial: 'S6' }, 'not a link'] });
    expect(r.check(pack('S5', 'L1'))).toMatchObject({ code: 'SUSPECT', alertId: 'A1' });
    expect(r.check(pack('S6', 'L1'))).toMatchObject({ code: 'SUSPECT', alertId: 'A2' });
    r.applyAlert({ id: 'A1', code: 'ALREADY_INACTIVE', status: 'resolved' });
    expect(r.check(pack('S5', 'L1'))).toBeUndefined();
    expect(r.suspectCount).toBe(1);
  });

  it('hands its suspect packs over to a register started after a reboot, and says when they change', () => {
    let changes = 0;
    const r = new RecallRegister({ onSuspectsChanged: () => (changes += 1) });
    r.applyAlert({ id: 'A1', code: 'ALREADY_INACTIVE', units: [{ gtin: GTIN, serial: 'S1' }, { gtin: GTIN, serial: 'S2' }] });
    r.applyAlert({ id: 'A2', code: 'LOCATION_CONFLICT', unit: { gtin: GTIN, serial: 'S3' } });
    r.applyAlert({ id: 'A3', code: 'UNKNOWN_SERIAL', status: 'resolved' }); // names nothing held: no change
    expect(changes).toBe(2);
    const after = new RecallRegister({ onSuspectsChanged: () => (changes += 100) });
    after.restoreSuspects(r.listSuspects());
    expect(changes).toBe(2);
    expect(after.check(pack('S2'))).toMatchObject({ code: 'SUSPECT', alertId: 'A1' });
    expect(after.suspectCount).toBe(3);
    // A resolution that arrives after the reboot still clears the packs of its alert.
    after.applyAlert({ id: 'A1', code: 'ALREADY_INACTIVE', status: 'resolved' });
    expect(after.check(pack('S1'))).toBeUndefined();
    expect(after.check(pack('S3'))).toMatchObject({ code: 'SUSPECT', alertId: 'A2' });
  });

  it('keeps at most maxSuspects packs', () => {
    const r = new RecallRegister({ maxSuspects: 10 });
    for (let i = 0; i < 100; i++) r.applyAlert({ id: `A${i}`, code: 'UNKNOWN_SERIAL', unit: { gtin: GTIN, serial: `S${i}` } });
    expect(r.suspectCount).toBe(10);
    expect(r.check(pack('S99'))).toMatchObject({ code: 'SUSPECT' });
  });
});
