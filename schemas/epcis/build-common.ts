// Building blocks shared by the event builders: identifiers as Digital Links, local event times, sealing an event with its hash ID.

import type { EpcisErrorCode, Gs1ErrorCode } from '../codes.js';
import { pglnDigitalLink, sglnDigitalLink, ssccDigitalLink, unitDigitalLink } from '../gs1/digital-link.js';
import { err, ok, type Result } from '../result.js';
import type { BizTransactionType, SourceDestType } from './cbv.js';
import { computeEventHashId } from './event-hash.js';
import type { BizTransaction, DestinationElement, LocationRef, PedigreeEvent, SourceElement, VocabularyValue } from './event-types.js';
import { PEDIGREE_CONTEXT } from './json-ld-context.js';
import { validateEpcisEvent } from './validate.js';

export type BuildErrorCode = EpcisErrorCode | Gs1ErrorCode;
export type BuildResult<T> = Result<T, BuildErrorCode>;

/** A serialised unit: GTIN (8, 12, 13 or 14 digits) and serial (AI 21). */
export interface UnitRef {
  readonly gtin: string;
  readonly serial: string;
}

/** A physical location (SGLN): GLN and optional extension (AI 254). */
export interface SglnRef {
  readonly gln: string;
  readonly extension?: string;
}

/** A party (the owner or possessor) and, optionally, the location goods leave from or arrive at. */
export interface PartyAt {
  /** The party's GLN (PGLN, AI 417). */
  readonly party: string;
  readonly location?: SglnRef;
  /** CBV 2.0 source/destination type: `owning_party` by default; `possessing_party` for a carrier or 3PL. */
  readonly partyType?: Extract<SourceDestType, 'owning_party' | 'possessing_party'>;
}

export interface BizTransactionInput {
  readonly type?: VocabularyValue<BizTransactionType>;
  /** A URI: a GDTI Digital Link, `urn:epcglobal:cbv:bt:{gln}:{id}` or the partner's own URI. */
  readonly id: string;
}

/** When and where every event happened (EPCIS 2.0 "when" and "where" dimensions). */
export interface EventWhenWhere {
  /** The instant: a Date or an ISO 8601 date-time with an offset (`Z` or `±HH:MM`). */
  readonly eventTime: Date | string;
  /** The local offset at the read point, `±HH:MM`; eventTime is written in it. */
  readonly eventTimeZoneOffset: string;
  readonly readPoint: SglnRef;
  /** Where the objects are afterwards; the read point's location if omitted for stock-changing steps. */
  readonly bizLocation?: SglnRef;
  readonly bizTransactions?: readonly BizTransactionInput[];
}

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** `eventTime` in the event's own offset with milliseconds, e.g. `2024-03-01T10:15:00.000+01:00`. */
export function formatEventTime(eventTime: Date | string, offset: string): Result<string, EpcisErrorCode> {
  const m = OFFSET.exec(offset);
  if (!m || Number(m[2]) > 14 || Number(m[3]) > 59) {
    return err('EPCIS_SCHEMA_INVALID', `eventTimeZoneOffset "${offset}" is not ±HH:MM`, { path: '/eventTimeZoneOffset' });
  }
  if (typeof eventTime === 'string' && !INSTANT.test(eventTime)) {
    return err('EPCIS_SCHEMA_INVALID', `eventTime "${eventTime}" is not an ISO 8601 date-time with an offset`, { path: '/eventTime' });
  }
  const ms = typeof eventTime === 'string' ? Date.parse(eventTime) : eventTime.getTime();
  if (!Number.isFinite(ms)) return err('EPCIS_SCHEMA_INVALID', 'eventTime is not a valid instant', { path: '/eventTime' });
  const minutes = (Number(m[2]) * 60 + Number(m[3])) * (m[1] === '-' ? -1 : 1);
  const local = new Date(ms + minutes * 60_000);
  const year = local.getUTCFullYear();
  if (year < 1 || year > 9999) return err('EPCIS_SCHEMA_INVALID', 'eventTime is out of range', { path: '/eventTime' });
  return ok(
    `${String(year).padStart(4, '0')}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}` +
      `T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}` +
      `.${String(local.getUTCMilliseconds()).padStart(3, '0')}${offset}`,
  );
}

/** Units → `https://id.gs1.org/01/{gtin}/21/{serial}` (DESIGN.md §2). */
export function unitIds(units: readonly UnitRef[]): BuildResult<string[]> {
  const out: string[] = [];
  for (const [i, u] of units.entries()) {
    const dl = unitDigitalLink(u.gtin, u.serial);
    if (!dl.ok) return { ...dl, path: `/units/${i}` };
    out.push(dl.value);
  }
  return ok(out);
}

/** SSCCs → `https://id.gs1.org/00/{sscc}`. */
export function ssccIds(ssccs: readonly string[]): BuildResult<string[]> {
  const out: string[] = [];
  for (const [i, s] of ssccs.entries()) {
    const dl = ssccDigitalLink(s);
    if (!dl.ok) return { ...dl, path: `/ssccs/${i}` };
    out.push(dl.value);
  }
  return ok(out);
}

export function location(ref: SglnRef): BuildResult<LocationRef> {
  const dl = sglnDigitalLink(ref.gln, ref.extension);
  return dl.ok ? ok({ id: dl.value }) : dl;
}

export function bizTransactions(inputs: readonly BizTransactionInput[]): BizTransaction[] {
  return inputs.map((t) => (t.type === undefined ? { bizTransaction: t.id } : { type: t.type, bizTransaction: t.id }));
}

/** CBV 2.0 source or destination list: the party, then its location. */
export function partyList<K extends 'source' | 'destination'>(
  key: K,
  at: PartyAt,
): BuildResult<(K extends 'source' ? SourceElement : DestinationElement)[]> {
  const party = pglnDigitalLink(at.party);
  if (!party.ok) return party;
  const list: Record<string, string>[] = [{ type: at.partyType ?? 'owning_party', [key]: party.value }];
  if (at.location) {
    const loc = sglnDigitalLink(at.location.gln, at.location.extension);
    if (!loc.ok) return loc;
    list.push({ type: 'location', [key]: loc.value });
  }
  return ok(list as unknown as (K extends 'source' ? SourceElement : DestinationElement)[]);
}

/** The when/where/why fields common to every builder, in EPCIS field order. */
export interface CommonFields {
  readonly eventTime: string;
  readonly eventTimeZoneOffset: string;
  readonly readPoint: LocationRef;
  readonly bizLocation?: LocationRef;
  readonly bizTransactionList?: BizTransaction[];
}

export function commonFields(input: EventWhenWhere): BuildResult<CommonFields> {
  const eventTime = formatEventTime(input.eventTime, input.eventTimeZoneOffset);
  if (!eventTime.ok) return eventTime;
  const readPoint = location(input.readPoint);
  if (!readPoint.ok) return readPoint;
  let bizLocation: LocationRef | undefined;
  if (input.bizLocation) {
    const loc = location(input.bizLocation);
    if (!loc.ok) return loc;
    bizLocation = loc.value;
  }
  return ok({
    eventTime: eventTime.value,
    eventTimeZoneOffset: input.eventTimeZoneOffset,
    readPoint: readPoint.value,
    ...(bizLocation ? { bizLocation } : {}),
    ...(input.bizTransactions && input.bizTransactions.length > 0
      ? { bizTransactionList: bizTransactions(input.bizTransactions) }
      : {}),
  });
}

/**
 * Stamps the event with its CBV 2.0 hash ID as `eventID` (first field, as in GS1's examples) and checks
 * it against the EPCIS JSON Schema, so a builder never hands out an event the ledger would refuse.
 */
export function sealEvent<E extends PedigreeEvent>(event: E): BuildResult<E> {
  const id = computeEventHashId(event, { context: PEDIGREE_CONTEXT });
  if (!id.ok) return id;
  const { type, eventID: _unused, ...fields } = event;
  const sealed = { type, eventID: id.value, ...fields } as E;
  const valid = validateEpcisEvent(sealed);
  return valid.ok ? ok(sealed) : valid;
}
