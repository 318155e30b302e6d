// The custody projection's shapes (DESIGN.md §6): the facts read from each entry, a unit's steps, its state, alerts.
import type { AlertCode, AlertSeverity } from '../../schemas/codes.js';

/** EU FMD-like pack states; `unknown` is a serial seen in events but never commissioned. */
export const UNIT_STATES = [
  'unknown',
  'active',
  'in_transit',
  'dispensed',
  'destroyed',
  'decommissioned',
  'stolen',
  'exported',
  'sample',
] as const;
export type UnitStateName = (typeof UNIT_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<UnitStateName> = new Set(['dispensed', 'destroyed', 'decommissioned', 'stolen', 'exported', 'sample']);

/** One appended entry as the rules read it (from the ingest batch or from the log). */
export interface AppliedEntry {
  readonly index: number;
  readonly eventId: string | null;
  readonly eventTime: string | null;
  readonly event: unknown;
  readonly device: string | null;
  /** GLN of the party that recorded it, when the log says (capture entries); else its device's party is used. */
  readonly party?: string | null;
  /** The identifiers the event names, when the envelope checks read them already (else read from `event`). */
  readonly named?: readonly NamedIdentifier[];
}

/** A unit or container an event names, with its role and the lot and expiry scanned with it. */
export interface NamedIdentifier {
  readonly epc: string;
  readonly role: Exclude<StepRole, 'via'>;
  readonly lot: string | null;
  readonly expiry: string | null;
}

/** The custody facts of one entry, parsed once from its event. */
export interface CustodyFacts {
  readonly index: number;
  /** ISO 8601 UTC with milliseconds (Date#toISOString), so strings compare in time order. */
  readonly eventTime: string;
  /** Local date at the read point, `YYYY-MM-DD`. */
  readonly eventDate: string;
  readonly type: string;
  readonly action: string | null;
  /** CBV bare words (`shipping`, `in_transit`), whatever form the event used. */
  readonly bizStep: string | null;
  readonly disposition: string | null;
  /** GLN of the party whose device recorded the event; null for the ledger's own entries. */
  readonly party: string | null;
  readonly location: string | null;
  readonly sourceParty: string | null;
  readonly destinationParty: string | null;
  readonly destinationLocation: string | null;
  readonly parent: string | null;
  readonly lot: string | null;
  readonly expiry: string | null;
  /** For an errorDeclaration: the index of the entry declared erroneous (when it is in the log). */
  readonly corrects: number | null;
  readonly retractedBy: number | null;
}

/** The facts of an entry a pedigree step shows; kept with each step of the entry (the unit view reads only steps). */
export type PedigreeFacts = Pick<CustodyFacts, 'index' | 'bizStep' | 'disposition' | 'party' | 'location' | 'destinationParty' | 'corrects' | 'retractedBy'>;

export type StepRole = 'object' | 'parent' | 'child' | 'via';

/** One entry as it concerns one identifier. */
export interface UnitStep {
  readonly epc: string;
  readonly index: number;
  readonly eventTime: string;
  readonly role: StepRole;
  /** The container named by the event, when the identifier is affected through it. */
  readonly via: string | null;
  /** Lot and expiry as scanned in this event. */
  readonly lot: string | null;
  readonly expiry: string | null;
}

export interface UnitState {
  readonly epc: string;
  readonly kind: 'unit' | 'container';
  readonly gtin: string | null;
  readonly serial: string | null;
  readonly sscc: string | null;
  readonly state: UnitStateName;
  readonly commissionedIndex: number | null;
  readonly lot: string | null;
  readonly expiry: string | null;
  /** The party that commissioned the unit (its manufacturer). */
  readonly owner: string | null;
  readonly custodian: string | null;
  readonly location: string | null;
  /** The entry that put the unit where it is. */
  readonly custodyIndex: number | null;
  readonly destinationParty: string | null;
  readonly destinationLocation: string | null;
  readonly shipIndex: number | null;
  readonly terminalIndex: number | null;
  readonly container: string | null;
  readonly containerIndex: number | null;
  readonly recalled: boolean;
  readonly recallIndex: number | null;
  readonly quarantined: boolean;
  readonly unknownAlerted: boolean;
  /** -1 and '' before any step. */
  readonly lastIndex: number;
  readonly lastEventTime: string;
}

/** An alert as the rules raise it; its key is (epc, code, triggerIndex). */
export interface RaisedAlert {
  readonly code: AlertCode;
  readonly epc: string;
  readonly triggerIndex: number | null;
  /** The entries involved, ascending. */
  readonly evidence: readonly number[];
  /** GLNs of the parties concerned. */
  readonly sites: readonly string[];
  readonly detail: string;
  readonly eventTime: string | null;
}

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface AlertAction {
  readonly action: 'acknowledge' | 'resolve' | 'auto_resolve';
  readonly note: string;
  readonly actorParty: string | null;
  readonly actorRole: string | null;
  readonly entries: readonly number[] | null;
  readonly at: string;
}

export interface AlertRecord extends RaisedAlert {
  readonly id: number;
  readonly severity: AlertSeverity;
  readonly gtin: string | null;
  readonly serial: string | null;
  readonly sscc: string | null;
  readonly status: AlertStatus;
  readonly resolvedBy: readonly number[] | null;
  readonly raisedAt: string;
  readonly updatedAt: string;
  readonly actions?: readonly AlertAction[];
}

export function alertKey(a: { epc: string; code: string; triggerIndex: number | null }): string {
  return `${a.epc}\u0000${a.code}\u0000${a.triggerIndex ?? ''}`;
}

const UNIT_KEY = /^https:\/\/id\.gs1\.org\/01\/([0-9]{14})\/21\/([^/?#]+)$/;
const SSCC_KEY = /^https:\/\/id\.gs1\.org\/00\/([0-9]{18})$/;

/** GTIN and serial (percent-decoded) of a unit key, or the SSCC of a container key. */
export function parseKey(epc: string): { kind: 'unit'; gtin: string; serial: string } | { kind: 'container'; sscc: string } | undefined {
  const u = UNIT_KEY.exec(epc);
  if (u) {
    let serial: string;
    try {
      serial = decodeURIComponent(u[2]!);
    } catch {
      serial = u[2]!;
    }
    return { kind: 'unit', gtin: u[1]!, serial };
  }
  const c = SSCC_KEY.exec(epc);
  return c ? { kind: 'container', sscc: c[1]! } : undefined;
}

export function emptyState(epc: string): UnitState {
  const k = parseKey(epc);
  return {
    epc,
    kind: k?.kind === 'container' ? 'container' : 'unit',
    gtin: k?.kind === 'unit' ? k.gtin : null,
    serial: k?.kind === 'unit' ? k.serial : null,
    sscc: k?.kind === 'container' ? k.sscc : null,
    state: 'unknown',
    commissionedIndex: null,
    lot: null,
    expiry: null,
    owner: null,
    custodian: null,
    location: null,
    custodyIndex: null,
    destinationParty: null,
    destinationLocation: null,
    shipIndex: null,
    terminalIndex: null,
    container: null,
    containerIndex: null,
    recalled: false,
    recallIndex: null,
    quarantined: false,
    unknownAlerted: false,
    lastIndex: -1,
    lastEventTime: '',
  };
}
