// Turns one serial frame into a read: a unit, a container, or a control label (party, location, document), or a refusal.
//
// Frames are attacker-controlled. Barcodes go through schemas/gs1 parseScan (GS1 GenSpecs §5.1.2 AIM identifiers,
// element strings, Digital Links); RFID lines through decodeEpcHex (TDS §14). Bytes are read as latin1 so that
// every byte maps to one character and anything outside GS1's character sets is refused by the parser.
import type { Gs1ErrorCode } from '../schemas/codes.js';
import { decodeEpcHex } from '../schemas/gs1/epc-binary.js';
import { formatDigitalLink, parseScan } from '../schemas/gs1/index.js';
import type { Gs1Scan } from '../schemas/gs1/index.js';
import { err, ok, type Result } from '../schemas/result.js';
import type { RefusalCode } from './refusal-codes.js';

export interface UnitRead {
  readonly kind: 'unit';
  readonly gtin: string;
  readonly serial: string;
  readonly lot?: string;
  /** `YYYY-MM-DD`. */
  readonly expiry?: string;
  /** The (17) value as printed, `YYMMDD` (DSCSA verification sends it as is). */
  readonly expiryYymmdd?: string;
}

export interface ContainerRead {
  readonly kind: 'container';
  readonly sscc: string;
}

/** A (417) party GLN label: the counterparty of a shipment or receipt. */
export interface PartyRead {
  readonly kind: 'party';
  readonly gln: string;
}

/** A (414) location label, optionally with (254): the counterparty's site. */
export interface LocationRead {
  readonly kind: 'location';
  readonly gln: string;
  readonly extension?: string;
}

/** A (400) purchase order or (253) GDTI document label: the business transaction of a shipment. */
export interface DocumentRead {
  readonly kind: 'document';
  readonly ai: '400' | '253';
  readonly value: string;
}

export type ReadContent = UnitRead | ContainerRead | PartyRead | LocationRead | DocumentRead;

/** A decoded read plus its identity key, for de-duplication (`01/{gtin}/21/{serial}`, `00/{sscc}`, …). */
export type Read = ReadContent & { readonly key: string };

export interface DecodeOptions {
  /** Treat a frame without an AIM symbology identifier as this one (scanners configured not to send it). */
  readonly symbologyIfMissing?: string;
  /** "Today" for the YYMMDD century rule. */
  readonly referenceDate?: Date;
}

export type DecodeResult = Result<Read, RefusalCode>;

function aiValue(scan: Gs1Scan, ai: string): string | undefined {
  for (const a of scan.ais) if (a.ai === ai) return a.value;
  return undefined;
}

/** What a parsed barcode means to a gateway. */
export function readFromScan(scan: Gs1Scan): DecodeResult {
  if (scan.sscc !== undefined) return ok({ kind: 'container', sscc: scan.sscc, key: `00/${scan.sscc}` });
  if (scan.gtin !== undefined && scan.serial !== undefined) {
    const yymmdd = aiValue(scan, '17');
    return ok({
      kind: 'unit',
      gtin: scan.gtin,
      serial: scan.serial,
      ...(scan.lot !== undefined ? { lot: scan.lot } : {}),
      ...(scan.expiry !== undefined ? { expiry: scan.expiry } : {}),
      ...(yymmdd !== undefined ? { expiryYymmdd: yymmdd } : {}),
      key: `01/${scan.gtin}/21/${scan.serial}`,
    });
  }
  const party = aiValue(scan, '417');
  if (party !== undefined) return ok({ kind: 'party', gln: party, key: `417/${party}` });
  const location = aiValue(scan, '414');
  if (location !== undefined) {
    const extension = aiValue(scan, '254');
    return ok({
      kind: 'location',
      gln: location,
      ...(extension !== undefined ? { extension } : {}),
      key: `414/${location}/254/${extension ?? ''}`,
    });
  }
  const po = aiValue(scan, '400');
  if (po !== undefined) return ok({ kind: 'document', ai: '400', value: po, key: `400/${po}` });
  const gdti = aiValue(scan, '253');
  if (gdti !== undefined && formatDigitalLink([{ ai: '253', value: gdti }]).ok) {
    return ok({ kind: 'document', ai: '253', value: gdti, key: `253/${gdti}` });
  }
  if (scan.gtin !== undefined) {
    return err('NOT_SERIALIZED', `GTIN ${scan.gtin} without a serial (21): not a serialised pack`);
  }
  return err('NOT_SERIALIZED', `no unit, SSCC or control label in (${scan.ais.map((a) => a.ai).join(')(')})`);
}

/** A barcode frame: AIM identifier + element string, a Digital Link, or bracketed AIs (schemas/gs1 parseScan). */
export function decodeBarcodeFrame(frame: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  let text = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('latin1');
  if (options.symbologyIfMissing !== undefined && text.charCodeAt(0) !== 0x5d) {
    // `]`: only frames without any AIM identifier get the configured one; `http…` Digital Links are left alone.
    if (!/^https?:\/\//i.test(text)) text = options.symbologyIfMissing + text;
  }
  const parsed = parseScan(text, options.referenceDate ? { referenceDate: options.referenceDate } : undefined);
  if (!parsed.ok) return parsed;
  return readFromScan(parsed.value);
}

const HEX_TOKEN = /^(?:EPC[:=]?)?([0-9A-Fa-f]{2,64})$/;

/**
 * An RFID reader line: EPC hex, optionally prefixed `EPC:` and followed by reader fields (`,ANT1,-61`), which
 * are ignored. SGTIN → unit (no lot/expiry: a tag does not carry them), SSCC → container; other schemes refused.
 */
export function decodeRfidFrame(frame: Uint8Array): DecodeResult {
  const text = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('latin1').trim();
  const first = text.split(/[\s,;]+/, 1)[0] ?? '';
  const m = HEX_TOKEN.exec(first);
  if (!m) return err<Gs1ErrorCode>('INVALID_EPC', 'not an EPC hex line');
  const decoded = decodeEpcHex(m[1] as string);
  if (!decoded.ok) return decoded;
  const epc = decoded.value;
  if (epc.sscc !== undefined) return ok({ kind: 'container', sscc: epc.sscc, key: `00/${epc.sscc}` });
  if (epc.gtin !== undefined && epc.serial !== undefined) {
    return ok({ kind: 'unit', gtin: epc.gtin, serial: epc.serial, key: `01/${epc.gtin}/21/${epc.serial}` });
  }
  return err('UNSUPPORTED_TAG', `${epc.scheme} tags are not custody objects here (SGTIN and SSCC are)`);
}
