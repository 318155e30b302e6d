// Builders of the ObjectEvents of a pack's life: commissioning, shipping, receiving, returning, void shipping, dispensing, destroying, decommissioning.
//
// CBV 2.0 business step and disposition words; EPCIS 2.0 ObjectEvent. Every event
// comes back with its CBV 2.0 event hash ID as eventID and has passed the EPCIS JSON Schema.

import { err, ok } from '../result.js';
import type { Disposition } from './cbv.js';
import {
  commonFields,
  partyList,
  sealEvent,
  ssccIds,
  unitIds,
  type BuildResult,
  type EventWhenWhere,
  type PartyAt,
  type UnitRef,
} from './build-common.js';
import type { EpcisAction, ObjectEvent, PedigreeIlmd } from './event-types.js';

/** What an ObjectEvent is about: serialised units and/or logistic units (a case or pallet moves what it holds). */
export interface ObjectsInput {
  readonly units?: readonly UnitRef[];
  readonly ssccs?: readonly string[];
}

export interface CommissioningInput extends EventWhenWhere {
  readonly units: readonly UnitRef[];
  /** Batch/lot (AI 10), written as ILMD `cbvmda:lotNumber` (DESIGN.md §2). */
  readonly lot?: string;
  /** Expiry date `YYYY-MM-DD` (AI 17 expanded), written as ILMD `cbvmda:itemExpirationDate`. */
  readonly expiry?: string;
}

export interface ShippingInput extends EventWhenWhere, ObjectsInput {
  readonly source: PartyAt;
  readonly destination: PartyAt;
}

export interface ReceivingInput extends ShippingInput {
  /** `active` (default: the goods are in stock at the receiver, DESIGN.md §6) or `in_progress`. */
  readonly disposition?: Extract<Disposition, 'active' | 'in_progress'>;
}

export interface ReturningInput extends ShippingInput {}

export interface VoidShippingInput extends EventWhenWhere, ObjectsInput {}

export interface EndOfLifeInput extends EventWhenWhere {
  readonly units: readonly UnitRef[];
}

export interface DispensingInput extends EndOfLifeInput {
  /** `dispensed` (default) or `partially_dispensed`. */
  readonly disposition?: Extract<Disposition, 'dispensed' | 'partially_dispensed'>;
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function epcList(input: ObjectsInput): BuildResult<string[]> {
  const units = unitIds(input.units ?? []);
  if (!units.ok) return units;
  const ssccs = ssccIds(input.ssccs ?? []);
  if (!ssccs.ok) return ssccs;
  const all = [...units.value, ...ssccs.value];
  if (all.length === 0) return err('EPCIS_SCHEMA_INVALID', 'the event names no units and no SSCCs', { path: '/epcList' });
  if (new Set(all).size !== all.length) return err('EPCIS_SCHEMA_INVALID', 'the same identifier is listed twice', { path: '/epcList' });
  return ok(all);
}

interface ObjectEventSpec {
  readonly action: EpcisAction;
  readonly bizStep: NonNullable<ObjectEvent['bizStep']>;
  readonly disposition?: NonNullable<ObjectEvent['disposition']>;
  readonly source?: PartyAt;
  readonly destination?: PartyAt;
  readonly ilmd?: PedigreeIlmd;
}

function objectEvent(input: EventWhenWhere, objects: ObjectsInput, spec: ObjectEventSpec): BuildResult<ObjectEvent> {
  const common = commonFields(input);
  if (!common.ok) return common;
  const epcs = epcList(objects);
  if (!epcs.ok) return epcs;
  const { readPoint, bizLocation, bizTransactionList, ...when } = common.value;
  let sourceList;
  let destinationList;
  if (spec.source) {
    const list = partyList('source', spec.source);
    if (!list.ok) return list;
    sourceList = list.value;
  }
  if (spec.destination) {
    const list = partyList('destination', spec.destination);
    if (!list.ok) return list;
    destinationList = list.value;
  }
  const event: ObjectEvent = {
    type: 'ObjectEvent',
    ...when,
    epcList: epcs.value,
    action: spec.action,
    bizStep: spec.bizStep,
    ...(spec.disposition ? { disposition: spec.disposition } : {}),
    readPoint,
    ...(bizLocation ? { bizLocation } : {}),
    ...(bizTransactionList ? { bizTransactionList } : {}),
    ...(sourceList ? { sourceList } : {}),
    ...(destinationList ? { destinationList } : {}),
    ...(spec.ilmd ? { ilmd: spec.ilmd } : {}),
  };
  return sealEvent(event);
}

/** CBV `commissioning`: new serials come into being, `active`, with lot and expiry as ILMD (ADD). */
export function buildCommissioningEvent(input: CommissioningInput): BuildResult<ObjectEvent> {
  if (input.expiry !== undefined && !ISO_DATE.test(input.expiry)) {
    return err('EPCIS_SCHEMA_INVALID', `expiry "${input.expiry}" is not YYYY-MM-DD`, { path: '/ilmd/cbvmda:itemExpirationDate' });
  }
  const ilmd: PedigreeIlmd = {
    ...(input.lot !== undefined ? { 'cbvmda:lotNumber': input.lot } : {}),
    ...(input.expiry !== undefined ? { 'cbvmda:itemExpirationDate': input.expiry } : {}),
  };
  return objectEvent(input, { units: input.units }, {
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    ...(Object.keys(ilmd).length > 0 ? { ilmd } : {}),
  });
}

/** CBV `shipping`: goods leave the source party for the destination, `in_transit` (OBSERVE). */
export function buildShippingEvent(input: ShippingInput): BuildResult<ObjectEvent> {
  return objectEvent(input, input, {
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    source: input.source,
    destination: input.destination,
  });
}

/** CBV `receiving`: goods arrive at the destination party (OBSERVE), `active` there by default. */
export function buildReceivingEvent(input: ReceivingInput): BuildResult<ObjectEvent> {
  return objectEvent(input, input, {
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: input.disposition ?? 'active',
    source: input.source,
    destination: input.destination,
  });
}

/**
 * A return: CBV 2.0 has no `returning` step; returned goods are received (`receiving`) with disposition
 * `returned` (a CBV 2.0 disposition), from the party that sends them back (OBSERVE).
 */
export function buildReturningEvent(input: ReturningInput): BuildResult<ObjectEvent> {
  return objectEvent(input, input, {
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: 'returned',
    source: input.source,
    destination: input.destination,
  });
}

/** CBV `void_shipping`: a recorded shipment did not happen; the goods are `active` where they were (OBSERVE). */
export function buildVoidShippingEvent(input: VoidShippingInput): BuildResult<ObjectEvent> {
  return objectEvent(input, input, { action: 'OBSERVE', bizStep: 'void_shipping', disposition: 'active' });
}

/** CBV `dispensing`: a pharmacy hands the pack out, `dispensed` (OBSERVE). Never records to whom (DESIGN.md §9). */
export function buildDispensingEvent(input: DispensingInput): BuildResult<ObjectEvent> {
  return objectEvent(input, { units: input.units }, {
    action: 'OBSERVE',
    bizStep: 'dispensing',
    disposition: input.disposition ?? 'dispensed',
  });
}

/** CBV `destroying`: the pack is destroyed; its serial ends (DELETE), `destroyed`. */
export function buildDestroyingEvent(input: EndOfLifeInput): BuildResult<ObjectEvent> {
  return objectEvent(input, { units: input.units }, { action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed' });
}

/**
 * CBV `decommissioning`: the serial is taken out of use without the pack being destroyed (DELETE). CBV 2.0
 * has no `decommissioned` disposition: the decommissioned identifier is `inactive`.
 */
export function buildDecommissioningEvent(input: EndOfLifeInput): BuildResult<ObjectEvent> {
  return objectEvent(input, { units: input.units }, { action: 'DELETE', bizStep: 'decommissioning', disposition: 'inactive' });
}
