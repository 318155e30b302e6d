// What a parsed barcode or Digital Link yields (Gs1Scan), the parse options, and the steps every parser ends with.

import type { Gs1ErrorCode } from '../codes.js';
import { err, ok, type Err, type Result } from '../result.js';
import type { Gs1Ai } from './ai-entry.js';
import { checkAssociations } from './associations.js';
import type { LocatedAi } from './ai-value.js';
import { expandYymmdd } from './expand-yymmdd.js';

export type Gs1Source = 'element-string' | 'digital-link' | 'bracketed';

export interface Gs1Scan {
  readonly source: Gs1Source;
  /** AIM symbology identifier the scanner prefixed, e.g. `]d2` (GS1 DataMatrix); absent when there was none. */
  readonly symbology?: string;
  /** Every AI in input order; an AI repeated with the same value is listed once. */
  readonly ais: readonly Gs1Ai[];
  /** (01) GTIN-14. */
  readonly gtin?: string;
  /** (21) serial number. */
  readonly serial?: string;
  /** (10) batch/lot. */
  readonly lot?: string;
  /** (17) expiry as ISO `YYYY-MM-DD`; DD=00 resolved to the last day of the month (GS1 GenSpecs §7.12). */
  readonly expiry?: string;
  /** (00) SSCC. */
  readonly sscc?: string;
  /** (414) location GLN, else (417) party GLN. */
  readonly gln?: string;
}

export interface Gs1ParseOptions {
  /** Apply req=/ex=/repeat rules (default true; a Pedigree gateway always does). */
  readonly validateAssociations?: boolean;
  /** "Today" for the YYMMDD century rule (default: the current date). */
  readonly referenceDate?: Date;
  /** Refuse longer input with INPUT_TOO_LONG before looking at it (default 4096 characters). */
  readonly maxLength?: number;
  /** Digital Link: accept a GTIN-8/12/13 in (01) and zero-pad it to GTIN-14 (default true). */
  readonly zeroPadShortGtin?: boolean;
}

export const DEFAULT_MAX_INPUT_LENGTH = 4096;

export interface ResolvedParseOptions {
  readonly validateAssociations: boolean;
  readonly referenceDate: Date | undefined;
  readonly maxLength: number;
  readonly zeroPadShortGtin: boolean;
}

export function resolveParseOptions(options: Gs1ParseOptions | undefined): ResolvedParseOptions {
  return {
    validateAssociations: options?.validateAssociations ?? true,
    referenceDate: options?.referenceDate,
    maxLength: options?.maxLength ?? DEFAULT_MAX_INPUT_LENGTH,
    zeroPadShortGtin: options?.zeroPadShortGtin ?? true,
  };
}

/** Refuses non-strings, empty input and input over the length cap, before any parsing work. */
export function checkInput(raw: unknown, options: ResolvedParseOptions): Err<Gs1ErrorCode> | undefined {
  if (typeof raw !== 'string') return err('NOT_GS1', 'input is not a string');
  if (raw.length > options.maxLength) {
    return err('INPUT_TOO_LONG', `input is ${raw.length} characters; at most ${options.maxLength} are accepted`, {
      position: options.maxLength,
    });
  }
  if (raw.length === 0) return err('EMPTY_INPUT', 'input is empty');
  return undefined;
}

/** Association rules (when enabled), de-duplication and the well-known fields: the last step of every parser. */
export function finishScan(
  source: Gs1Source,
  symbology: string | undefined,
  items: readonly LocatedAi[],
  options: ResolvedParseOptions,
): Result<Gs1Scan, Gs1ErrorCode> {
  if (options.validateAssociations) {
    const failure = checkAssociations(items);
    if (failure) return failure;
  }
  const ais: Gs1Ai[] = [];
  let gtin: string | undefined;
  let serial: string | undefined;
  let lot: string | undefined;
  let yymmdd: LocatedAi | undefined;
  let sscc: string | undefined;
  let locationGln: string | undefined;
  let partyGln: string | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as LocatedAi;
    let repeat = false;
    for (let j = 0; j < i && !repeat; j++) {
      const other = items[j] as LocatedAi;
      repeat = other.ai === item.ai && other.value === item.value;
    }
    if (repeat) continue;
    ais.push({ ai: item.ai, value: item.value });
    switch (item.ai) {
      case '01': gtin ??= item.value; break;
      case '21': serial ??= item.value; break;
      case '10': lot ??= item.value; break;
      case '17': yymmdd ??= item; break;
      case '00': sscc ??= item.value; break;
      case '414': locationGln ??= item.value; break;
      case '417': partyGln ??= item.value; break;
    }
  }
  let expiry: string | undefined;
  if (yymmdd !== undefined) {
    const expanded = expandYymmdd(yymmdd.value, options.referenceDate ?? new Date());
    if (!expanded.ok) {
      return err(expanded.code, `(17) ${expanded.message}`, { position: yymmdd.valueAt + (expanded.position ?? 0), path: '(17)' });
    }
    expiry = expanded.value;
  }
  const gln = locationGln ?? partyGln;
  // Only the fields present, so results compare and serialise cleanly; assigned one by one (hot path).
  const scan: { -readonly [K in keyof Gs1Scan]: Gs1Scan[K] } = { source, ais };
  if (symbology !== undefined) scan.symbology = symbology;
  if (gtin !== undefined) scan.gtin = gtin;
  if (serial !== undefined) scan.serial = serial;
  if (lot !== undefined) scan.lot = lot;
  if (expiry !== undefined) scan.expiry = expiry;
  if (sscc !== undefined) scan.sscc = sscc;
  if (gln !== undefined) scan.gln = gln;
  return ok(scan);
}

/** Accepts either a list of AIs or anything that carries one (a Gs1Scan). */
export type Gs1AiList = readonly Gs1Ai[] | { readonly ais: readonly Gs1Ai[] };

export function aiListOf(input: Gs1AiList): readonly Gs1Ai[] | undefined {
  if (Array.isArray(input)) return input as readonly Gs1Ai[];
  const ais = (input as { ais?: unknown } | null)?.ais;
  return Array.isArray(ais) ? (ais as readonly Gs1Ai[]) : undefined;
}
