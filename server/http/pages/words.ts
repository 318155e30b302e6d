// The words pages use for the ledger's codes: a verification's verdict in a pharmacist's terms (colour is always
// doubled by text), custody steps, unit states, alert codes. Pure.

export type Tone = 'ok' | 'danger' | 'warning' | 'neutral';

export type VerdictKind = 'genuine' | 'recalled' | 'unknown' | 'mismatch' | 'suspect' | 'expired' | 'not-verified';

export interface Verdict {
  readonly kind: VerdictKind;
  readonly tone: Tone;
  /** The decision, first: what to do with the pack. */
  readonly headline: string;
  /** Why, in a sentence or two. */
  readonly advice: string;
}

/** The fields of a verification answer (GET /v1/verify) the verdict reads. */
export interface VerificationView {
  readonly data: { readonly verified: boolean; readonly verificationFailureReason?: string; readonly additionalInfo?: string };
  readonly unit: { readonly state: string; readonly quarantined: boolean; readonly expiry: string | null } | null;
  readonly alerts: readonly { readonly code: string }[];
}

const TERMINAL = new Set(['dispensed', 'destroyed', 'decommissioned', 'stolen', 'exported', 'sample']);

/**
 * The decision for the pack, most serious first: recalled, unknown, lot/expiry mismatch, suspect, expired, genuine
 * (DSCSA additionalInfo and verificationFailureReason, DESIGN.md §7).
 */
export function verdictOf(v: VerificationView): Verdict {
  const { verified, verificationFailureReason: reason, additionalInfo: info } = v.data;
  if (info === 'Recalled') {
    return {
      kind: 'recalled',
      tone: 'danger',
      headline: 'RECALLED — do not dispense',
      advice: 'This pack is covered by a recall. Put it aside, quarantine it and follow the recall instructions.',
    };
  }
  if (reason === 'No_match_GTIN' || reason === 'No_match_GTIN_Serial') {
    return {
      kind: 'unknown',
      tone: 'danger',
      headline: 'Unknown pack — not in the ledger: do not dispense',
      advice:
        reason === 'No_match_GTIN'
          ? 'No manufacturer has commissioned any pack of this product code (GTIN). It may be counterfeit: quarantine it and report it.'
          : 'The manufacturer never commissioned this serial number. It may be counterfeit: quarantine it and report it. The ledger has raised an alert.',
    };
  }
  if (reason !== undefined) {
    const what = reason === 'No_match_GTIN_Serial_Lot' ? 'lot' : reason === 'No_match_GTIN_Serial_Expiry' ? 'expiry date' : 'lot and expiry date';
    return {
      kind: 'mismatch',
      tone: 'warning',
      headline: `Suspect — ${what} does not match: quarantine and report`,
      advice: `The ${what} printed on the pack differs from what the manufacturer recorded when it made the pack. Do not dispense it; the ledger has raised an alert.`,
    };
  }
  if (info === 'Suspect') {
    const state = v.unit?.state ?? '';
    const advice = TERMINAL.has(state)
      ? `The ledger says this serial was already ${stateWords(state)}. The pack in your hand may be a copy (clone): quarantine it and report it.`
      : v.unit?.quarantined
        ? 'The pack is under quarantine. Do not dispense it.'
        : `The ledger has ${v.alerts.length === 1 ? 'an open alert' : `${v.alerts.length} open alerts`} about this pack (listed below). Quarantine it and report it.`;
    return { kind: 'suspect', tone: 'warning', headline: 'Suspect — quarantine and report', advice };
  }
  if (info === 'Expired') {
    return {
      kind: 'expired',
      tone: 'danger',
      headline: 'Expired — do not dispense',
      advice: `The pack expired${v.unit?.expiry ? ` on ${v.unit.expiry}` : ''}. Return or destroy it as your procedures say.`,
    };
  }
  if (verified) {
    return {
      kind: 'genuine',
      tone: 'ok',
      headline: 'Genuine — OK to dispense',
      advice: 'The manufacturer commissioned this pack, its custody is recorded without a gap, and nothing is open against it.',
    };
  }
  return { kind: 'not-verified', tone: 'danger', headline: 'Not verified — do not dispense', advice: 'The ledger could not verify this pack.' };
}

const STEP_WORDS: Record<string, string> = {
  commissioning: 'Made and serialised (commissioned)',
  packing: 'Packed into a case',
  unpacking: 'Unpacked',
  shipping: 'Shipped',
  receiving: 'Received',
  dispensing: 'Dispensed',
  destroying: 'Destroyed',
  decommissioning: 'Decommissioned',
  holding: 'Held',
  inspecting: 'Inspected',
  retail_selling: 'Sold',
  void_shipping: 'Shipment cancelled',
  returning: 'Returned',
  storing: 'Stored',
};

/** A custody step in words (CBV 2.0 bizStep, with the disposition where it says more). */
export function stepWords(bizStep: string | null, disposition: string | null = null): string {
  if (disposition === 'recalled') return 'Recalled';
  if (bizStep === null) return disposition ? capitalise(disposition.replace(/_/g, ' ')) : 'Event';
  return STEP_WORDS[bizStep] ?? capitalise(bizStep.replace(/_/g, ' '));
}

const STATE_WORDS: Record<string, string> = {
  unknown: 'never commissioned',
  active: 'in stock',
  in_transit: 'in transit',
  dispensed: 'dispensed',
  destroyed: 'destroyed',
  decommissioned: 'decommissioned',
  stolen: 'reported stolen',
  exported: 'exported',
  sample: 'taken as a sample',
  // Recall report statuses.
  in_stock: 'in stock',
  returned: 'returned',
  never_commissioned: 'never commissioned',
};

export function stateWords(state: string): string {
  return STATE_WORDS[state] ?? state.replace(/_/g, ' ');
}

const ALERT_WORDS: Record<string, string> = {
  UNKNOWN_SERIAL: 'Unknown serial: never commissioned',
  DUPLICATE_COMMISSION: 'Serial commissioned twice',
  ALREADY_INACTIVE: 'Pack already dispensed or destroyed seen again (possible clone)',
  LOCATION_CONFLICT: 'Seen at a site that neither holds it nor was shipped it (possible clone or diversion)',
  CUSTODY_MISMATCH: 'Received by a party that was not the destination',
  LOT_MISMATCH: 'Lot differs from the manufacturer’s record',
  EXPIRY_MISMATCH: 'Expiry differs from the manufacturer’s record',
  AGGREGATION_CONFLICT: 'Packed into a second case without unpacking',
  RECALLED_UNIT_MOVED: 'Recalled pack moved or dispensed',
  EXPIRED_UNIT_DISPENSED: 'Dispensed after its expiry',
};

export function alertWords(code: string): string {
  return ALERT_WORDS[code] ?? code;
}

export function capitalise(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** `2026-10-01 08:00 UTC` from an ISO time; pages localise it in the browser when script runs. */
export function timeWords(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A GS1 key with the name beside it when known: `Acme Pharma (9521234500006)`. */
export function named(id: string | null | undefined, names: ReadonlyMap<string, string>): string {
  if (!id) return '—';
  const n = names.get(id);
  return n ? `${n} (${id})` : id;
}

/** The printable form of a raw scan: GS (0x1D) as ␝ and other control characters as their Unicode pictures. */
export function printableScan(raw: string): string {
  let out = '';
  for (const ch of raw) {
    const c = ch.codePointAt(0)!;
    out += c < 0x20 ? String.fromCodePoint(0x2400 + c) : c === 0x7f ? '\u2421' : ch;
  }
  return out;
}
