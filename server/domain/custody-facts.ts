// Reads the custody facts of one entry from its EPCIS event (DESIGN.md §§2, 6). The event is attacker-controlled
// JSON that passed the EPCIS schema: every field is checked for its type before use.
import type { CustodyFacts, NamedIdentifier } from './custody-model.js';
import { canonicalLocationIdentifier, ERROR_DECLARATION_SUFFIX, eventLocation, identifierFacts, identifierKey, type IdentifierFacts } from './event-identifiers.js';

/** An identifier the event names itself, with what the scan said about it. */
export type { NamedIdentifier };

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
  /** namedIdentifiers(event), when already read (the envelope checks do, in a worker thread). */
  readonly named?: readonly NamedIdentifier[];
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
  const c = canonicalLocationIdentifier(id);
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
    else if (type === 'location' && typeof value === 'string') location ??= canonicalLocationIdentifier(value) ?? null;
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

/** The units and containers an event names, with their roles, in event order, each once. */
export function namedIdentifiers(event: Record<string, unknown>, factsOf: (epc: string) => IdentifierFacts | undefined = identifierFacts): NamedIdentifier[] {
  const ids: NamedIdentifier[] = [];
  const seen = new Set<string>();
  const add = (v: unknown, role: NamedIdentifier['role']) => {
    if (typeof v !== 'string') return;
    const f = factsOf(v);
    if (f && !seen.has(f.key)) {
      seen.add(f.key);
      ids.push({ epc: f.key, role, lot: f.lot, expiry: f.expiry });
    }
  };
  if (event.type === 'AggregationEvent') {
    add(event.parentID, 'parent');
    if (Array.isArray(event.childEPCs)) for (const c of event.childEPCs) add(c, 'child');
  } else {
    if (event.type === 'TransactionEvent') add(event.parentID, 'object');
    for (const field of ['epcList', 'inputEPCList', 'outputEPCList'] as const) {
      const list = event[field];
      if (Array.isArray(list)) for (const c of list) add(c, 'object');
    }
  }
  return ids;
}

export function readCustodyFacts(entry: EntryInput): EntryFacts {
  const event = (entry.event && typeof entry.event === 'object' ? entry.event : {}) as Record<string, unknown>;
  const eventTime = entry.eventTime ?? new Date(0).toISOString();
  const type = str(event.type) ?? 'unknown';
  const ids = entry.named ?? namedIdentifiers(event);
  const parentKey =
    typeof event.parentID === 'string' ? ((ids.find((n) => n.role === 'parent')?.epc ?? identifierKey(event.parentID)) ?? null) : null;
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
      location: (bizLocation ? canonicalLocationIdentifier(bizLocation) : undefined) ?? eventLocation(event) ?? null,
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
