import { describe, expect, it } from 'vitest';
import { decodeBarcodeFrame, decodeRfidFrame } from '../../gateway/decode-read.js';
import { epcHex } from '../../firmware-sim/rfid-reader.js';

const GS = '\x1d';
const b = (s: string) => Buffer.from(s, 'latin1');
const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code);

describe('decoding barcode frames', () => {
  it('reads a pack: GTIN, serial, lot, expiry (ISO and as printed)', () => {
    const r = decodeBarcodeFrame(b(`]d201095060001343521728123110LOT-7${GS}21ABC123`));
    expect(r).toEqual({
      ok: true,
      value: { kind: 'unit', gtin: '09506000134352', serial: 'ABC123', lot: 'LOT-7', expiry: '2028-12-31', expiryYymmdd: '281231', key: '01/09506000134352/21/ABC123' },
    });
  });

  it('reads an SSCC, a party label, a location label and documents', () => {
    expect(decodeBarcodeFrame(b(']d200106141411234567897'))).toMatchObject({ ok: true, value: { kind: 'container', sscc: '106141411234567897' } });
    expect(decodeBarcodeFrame(b(']d24174012345000009'))).toMatchObject({ ok: true, value: { kind: 'party', gln: '4012345000009' } });
    expect(decodeBarcodeFrame(b(`]d24144012345000009${GS}254dock-2`))).toMatchObject({ ok: true, value: { kind: 'location', gln: '4012345000009', extension: 'dock-2' } });
    expect(decodeBarcodeFrame(b(']d2400PO-1'))).toMatchObject({ ok: true, value: { kind: 'document', ai: '400', value: 'PO-1' } });
    expect(decodeBarcodeFrame(b(']d22530614141000005SHIP1'))).toMatchObject({ ok: true, value: { kind: 'document', ai: '253' } });
  });

  it('reads a GS1 Digital Link in a plain DataMatrix or QR code', () => {
    expect(decodeBarcodeFrame(b(']Q1https://id.gs1.org/01/09506000134352/21/XYZ'))).toMatchObject({ ok: true, value: { kind: 'unit', serial: 'XYZ' } });
  });

  it('refuses what is not a serialised pack or a label the gateway uses', () => {
    expect(codeOf(decodeBarcodeFrame(b(']E09506000134352')))).toBe('NOT_SERIALIZED'); // EAN-13: no serial
    expect(codeOf(decodeBarcodeFrame(b(']d1TESTING')))).toBe('NOT_GS1');
    expect(codeOf(decodeBarcodeFrame(b(']d20109506000134353211')))).toBe('INCORRECT_CHECK_DIGIT');
    expect(codeOf(decodeBarcodeFrame(b(']d2010950600013')))).toBe('AI_VALUE_TOO_SHORT');
    expect(codeOf(decodeBarcodeFrame(b('\x00\xff]d20109506000134352211')))).toBe('NOT_GS1');
  });

  it('accepts frames without a symbology identifier only when the scanner is configured so', () => {
    const frame = b('0109506000134352211234');
    expect(codeOf(decodeBarcodeFrame(frame))).toBe('NOT_GS1');
    expect(decodeBarcodeFrame(frame, { symbologyIfMissing: ']d2' })).toMatchObject({ ok: true, value: { kind: 'unit', serial: '1234' } });
  });
});

describe('decoding RFID reader lines', () => {
  const sgtin = epcHex('urn:epc:id:sgtin:0614141.812345.6789', 'sgtin-96');
  const sscc = epcHex('urn:epc:id:sscc:0614141.1234567890', 'sscc-96', 0);

  it('reads SGTIN and SSCC tags, bare or with reader fields', () => {
    expect(decodeRfidFrame(b(sgtin))).toMatchObject({ ok: true, value: { kind: 'unit', gtin: '80614141123458', serial: '6789' } });
    expect(decodeRfidFrame(b(`EPC:${sgtin.toLowerCase()},ANT2,-61`))).toMatchObject({ ok: true, value: { kind: 'unit', serial: '6789' } });
    expect(decodeRfidFrame(b(sscc))).toMatchObject({ ok: true, value: { kind: 'container', sscc: '106141412345678908' } });
  });

  it('refuses noise, unknown headers and tags that are not custody objects', () => {
    expect(codeOf(decodeRfidFrame(b('hello')))).toBe('INVALID_EPC');
    expect(codeOf(decodeRfidFrame(b('FF00000000000000000000')))).toBe('UNSUPPORTED_EPC_SCHEME');
    const sgln = epcHex('urn:epc:id:sgln:0614141.12345.400', 'sgln-96');
    expect(codeOf(decodeRfidFrame(b(sgln)))).toBe('UNSUPPORTED_TAG');
  });
});
