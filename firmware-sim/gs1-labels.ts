// Identifiers and labels for simulated supply chains: GTINs, SSCCs and GLNs with correct check digits, and the
// element strings printed on packs, cases and party labels (GS1 GenSpecs §§2.1, 2.2, 3.2).
import { computeCheckDigit } from '../schemas/gs1/check-digit.js';
import type { Gs1Ai } from '../schemas/gs1/index.js';

function withCheckDigit(digits: string): string {
  return digits + String(computeCheckDigit(digits));
}

/** GTIN-14: indicator 0, company prefix + item reference padded to 12 digits, check digit. */
export function makeGtin(companyPrefix: string, itemReference: number): string {
  const body = companyPrefix + String(itemReference).padStart(12 - companyPrefix.length, '0');
  return withCheckDigit(`0${body}`.slice(0, 13));
}

/** SSCC: extension digit, company prefix + serial reference padded to 16 digits, check digit. */
export function makeSscc(companyPrefix: string, serialReference: number, extension = 0): string {
  return withCheckDigit(`${extension}${companyPrefix}${String(serialReference).padStart(16 - companyPrefix.length, '0')}`);
}

/** GLN: company prefix + location reference padded to 12 digits, check digit. */
export function makeGln(companyPrefix: string, locationReference: number): string {
  return withCheckDigit(`${companyPrefix}${String(locationReference).padStart(12 - companyPrefix.length, '0')}`);
}

/** YYMMDD of a date (AI 17). */
export function yymmdd(date: Date): string {
  const y = String(date.getUTCFullYear() % 100).padStart(2, '0');
  return `${y}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}`;
}

export interface PackLabel {
  readonly gtin: string;
  readonly serial: string;
  readonly lot?: string;
  /** YYMMDD. */
  readonly expiry?: string;
}

/** A pack's DataMatrix AIs in the usual pharma order (01)(17)(10)(21): GTIN, expiry, lot, serial. */
export function packAis(label: PackLabel): Gs1Ai[] {
  return [
    { ai: '01', value: label.gtin },
    ...(label.expiry !== undefined ? [{ ai: '17', value: label.expiry }] : []),
    ...(label.lot !== undefined ? [{ ai: '10', value: label.lot }] : []),
    { ai: '21', value: label.serial },
  ];
}

export const ssccAis = (sscc: string): Gs1Ai[] => [{ ai: '00', value: sscc }];
export const partyAis = (gln: string): Gs1Ai[] => [{ ai: '417', value: gln }];
export const locationAis = (gln: string, extension?: string): Gs1Ai[] => [
  { ai: '414', value: gln },
  ...(extension !== undefined ? [{ ai: '254', value: extension }] : []),
];
export const purchaseOrderAis = (po: string): Gs1Ai[] => [{ ai: '400', value: po }];

/** EPC pure identity of an SSCC made by makeSscc (for RFID tags, TDS §6.3.2). */
export function ssccPureUri(companyPrefix: string, serialReference: number, extension = 0): string {
  return `urn:epc:id:sscc:${companyPrefix}.${extension}${String(serialReference).padStart(16 - companyPrefix.length, '0')}`;
}

/** EPC pure identity of a pack whose GTIN was made by makeGtin (indicator 0; TDS §6.3.1). */
export function sgtinPureUri(companyPrefix: string, itemReference: number, serial: string): string {
  return `urn:epc:id:sgtin:${companyPrefix}.0${String(itemReference).padStart(12 - companyPrefix.length, '0')}.${serial}`;
}
