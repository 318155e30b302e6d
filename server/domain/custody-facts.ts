// Reads the custody facts of one entry from its EPCIS event (DESIGN.md §§2, 6). The event is attacker-controlled
// JSON that passed the EPCIS schema: every field is checked for its type before use.
import { parseDigitalLink } from '../../schemas/gs1/digital-link.js';
import type { CustodyFacts, StepRole } from './custody-model.js';
import { canonicalIdentifier, ERROR_DECLARATION_SUFFIX, eventLocation, identifierKey } from './event-identifiers.js';

/** An identifier the event names itself, with what the scan said about it. */
export interface NamedIdentifier {
  readonly epc: string;
  readonly role: Exclude<StepRole, 'via'>;
  readonly lot: string | null;
  readonly expiry: string | null;
}

export interface EntryFacts {
  /** `corrects` is resolved by the caller from `correctsEventId`. */
  readonly facts: CustodyFacts;
  readonly named: readonly NamedIdentifier[];
  /** For an errorDeclaration: the eventID of the event declared erroneous. */
  readonly correctsEventId: string | null;
}

export interface EntryInput {
  readonly index: number;
  readonly eventId: string | null;
  readonly eventTime: string | null;
  readonly event: unknown;
  /** GLN of the party whose device recorded the entry (null for ledger entries). */
  readonly party: string | null;
}

const VOCABULARY_PREFIXES = [
  'https://ref.gs1.org/cbv/BizStep-',
  'https://ref.gs1.org/cbv/Disp-',
  'urn:epcglobal:cbv:bizstep:',
  'urn:epcglobal:cbv:disp:',
  'https://ref.gs1.org/cbv/SDT-',
  'urn:epcglobal:cbv:sdt:',
];

/** A CBV word in any of its spellings (bare, Web URI, CBV 1.x URN) as the bare word (CBV 2.0 §6). */
export function bareWord(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  for (const p of VOCABULARY_PREFIXES) if (v.startsWith(p)) return v.slice(p.length);
  return v;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** GLN of a PGLN or SGLN, written as a Digital Link or an EPC URN. */
function glnOf(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  const c = canonicalIdentifier(id);
  const m = c ? /^https:\/\/id\.gs1\.org\/41[47]\/([0-9]{13})/.exec(c) : null;
  return m ? m[1]! : null;
}

/** The owning party of a source/destination list (else the possessing party), and its location. */
function partyAndLocation(list: unknown, key: 'source' | 'destination'): { party: string | null; location: string | null } {
  let owning: string | null = null;
  let possessing: string | null = null;
  let location: string | null = null;
  if (!Array.isArray(list)) return { party: null, location: null };
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const type = bareWord((item as Record<string, unknown>).type);
    const value = (item as Record<string, unknown>)[key];
    if (type === 'owning_party') owning ??= glnOf(value);
    else if (type === 'possessing_party') possessing ??= glnOf(value);
    else if (type === 'location' && typeof value === 'string') location ??= canonicalIdentifier(value) ?? null;
  }
  return { party: owning ?? possessing, location };
}

/** The local calendar date of an instant in a `±HH:MM` offset (EPCIS 2.0 §7.3.1 eventTimeZoneOffset). */
function localDate(isoUtc: string, offset: unknown): string {
  const ms = Date.parse(isoUtc);
  const m = typeof offset === 'string' ? /^([+-])(\d{2}):(\d{2})$/.exec(offset) : null;
  const minutes = m ? (Number(m[2]) * 60 + Number(m[3])) * (m[1] === '-' ? -1 : 1) : 0;
  return new Date(ms + minutes * 60_000).toISOString().slice(0, 10);
}

/** An identifier's key plus the lot (10) and expiry (17) its Digital Link carries (a scan of the pack). */
function named(v: unknown, role: NamedIdentifier['role']): NamedIdentifier | undefined {
  if (typeof v !== 'string') return undefined;
  const epc = identifierKey(v);
  if (epc === undefined) return undefined;
  let lot: string | null = null;
  let expiry: string | null = null;
  if (!v.startsWith('urn:') && (v.includes('/10/') || v.includes('17='))) {
    const scan = parseDigitalLink(v);
    if (scan.ok) {
      lot = scan.value.lot ?? null;
      expiry = scan.value.expiry ?? null;
    }
  }
  return { epc, role, lot, expiry };
}

export function readCustodyFacts(entry: EntryInput): EntryFacts {
  const event = (entry.event && typeof entry.event === 'object' ? entry.event : {}) as Record<string, unknown>;
  const eventTime = entry.eventTime ?? new Date(0).toISOString();
  const type = str(event.type) ?? 'unknown';
  const ids: NamedIdentifier[] = [];
  const seen = new Set<string>();
  const add = (v: unknown, role: NamedIdentifier['role']) => {
    const n = named(v, role);
    if (n && !seen.has(n.epc)) {
      seen.add(n.epc);
      ids.push(n);
    }
  };
  const parentKey = typeof event.parentID === 'string' ? (identifierKey(event.parentID) ?? null) : null;
  if (type === 'AggregationEvent') {
    add(event.parentID, 'parent');
    if (Array.isArray(event.childEPCs)) for (const c of event.childEPCs) add(c, 'child');
  } else {
    if (type === 'TransactionEvent') add(event.parentID, 'object');
    for (const field of ['epcList', 'inputEPCList', 'outputEPCList'] as const) {
      const list = event[field];
      if (Array.isArray(list)) for (const c of list) add(c, 'object');
    }
  }
  const ilmd = event.ilmd && typeof event.ilmd === 'object' ? (event.ilmd as Record<string, unknown>) : {};
  const source = partyAndLocation(event.sourceList, 'source');
  const destination = partyAndLocation(event.destinationList, 'destination');
  const bizLocation = event.bizLocation && typeof event.bizLocation === 'object' ? str((event.bizLocation as { id?: unknown }).id) : null;
  const isDeclaration = event.errorDeclaration !== undefined && event.errorDeclaration !== null;
  const correctsEventId =
    isDeclaration && entry.eventId !== null && entry.eventId.endsWith(ERROR_DECLARATION_SUFFIX)
      ? entry.eventId.slice(0, -ERROR_DECLARATION_SUFFIX.length)
      : null;
  return {
    facts: {
      index: entry.index,
      eventTime,
      eventDate: localDate(eventTime, event.eventTimeZoneOffset),
      type,
      action: str(event.action),
      bizStep: bareWord(event.bizStep),
      disposition: bareWord(event.disposition),
      party: entry.party,
      location: (bizLocation ? canonicalIdentifier(bizLocation) : undefined) ?? eventLocation(event) ?? null,
      sourceParty: source.party,
      destinationParty: destination.party,
      destinationLocation: destination.location,
      parent: parentKey,
      lot: str(ilmd['cbvmda:lotNumber']),
      expiry: str(ilmd['cbvmda:itemExpirationDate']),
      corrects: null,
      retractedBy: null,
    },
    named: ids,
    correctsEventId,
  };
}
