// Parses the identifiers clients name in paths and queries (attacker-controlled) into canonical keys, as typed
// results carrying the GS1 parser's code and position (a 400, never a 500).
import type { Gs1ErrorCode } from '../../schemas/codes.js';
import { expandYymmdd } from '../../schemas/gs1/expand-yymmdd.js';
import { parseScan } from '../../schemas/gs1/scan-data.js';
import { ssccDigitalLink, unitDigitalLink } from '../../schemas/gs1/digital-link.js';
import { err, ok, type Result } from '../../schemas/result.js';

export interface UnitKey {
  readonly epc: string;
  readonly gtin: string;
  readonly serial: string;
}

export interface UnitQuery extends UnitKey {
  readonly lot?: string;
  readonly expiry?: string;
}

/** GTIN (8, 12, 13 or 14 digits) and serial → the unit's canonical Digital Link. */
export function readUnitKey(gtin: string, serial: string): Result<UnitKey, Gs1ErrorCode> {
  const dl = unitDigitalLink(gtin, serial);
  if (!dl.ok) return dl;
  return ok({ epc: dl.value, gtin: gtin.padStart(14, '0'), serial });
}

export function readSsccKey(sscc: string): Result<{ epc: string; sscc: string }, Gs1ErrorCode> {
  const dl = ssccDigitalLink(sscc);
  return dl.ok ? ok({ epc: dl.value, sscc }) : dl;
}

/** An expiry as `YYMMDD` (GS1 AI 17, as DSCSA verification requests carry it) or `YYYY-MM-DD`. */
export function readExpiry(exp: string): Result<string, Gs1ErrorCode> {
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(exp)) {
    const d = new Date(`${exp}T00:00:00Z`);
    return Number.isFinite(d.getTime()) && d.toISOString().startsWith(exp) ? ok(exp) : err('INVALID_DATE', `${exp} is not a date`, { position: 0 });
  }
  return expandYymmdd(exp);
}

/** A raw scanner string, bracketed AIs or a Digital Link naming a unit: GTIN, serial and any lot and expiry. */
export function readScan(raw: string): Result<UnitQuery, Gs1ErrorCode> {
  const scan = parseScan(raw);
  if (!scan.ok) return scan;
  const { gtin, serial, lot, expiry } = scan.value;
  if (gtin === undefined || serial === undefined) {
    return err('MISSING_REQUIRED_AI', 'a verification needs a GTIN (01) and a serial number (21)', { position: 0 });
  }
  const key = readUnitKey(gtin, serial);
  if (!key.ok) return key;
  return ok({ ...key.value, ...(lot !== undefined ? { lot } : {}), ...(expiry !== undefined ? { expiry } : {}) });
}
