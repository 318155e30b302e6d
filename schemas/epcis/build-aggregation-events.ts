// Builders of AggregationEvents: packing units into a logistic unit (SSCC) and unpacking them (DESIGN.md §6).
//
// EPCIS 2.0 AggregationEvent: ADD puts childEPCs into parentID, DELETE takes them out (all of them when childEPCs
// is omitted). CBV 2.0 bizSteps `packing` / `unpacking`. Events come back sealed with their hash ID.

import { err } from '../result.js';
import { commonFields, sealEvent, ssccIds, unitIds, type BuildResult, type EventWhenWhere, type UnitRef } from './build-common.js';
import type { Disposition } from './cbv.js';
import type { AggregationEvent, EpcisAction } from './event-types.js';

export interface PackingInput extends EventWhenWhere {
  /** The container's SSCC (AI 00, 18 digits). */
  readonly sscc: string;
  readonly units?: readonly UnitRef[];
  /** Inner cases packed into a pallet. */
  readonly ssccs?: readonly string[];
  /** Optional; applies to the container and its contents (EPCIS 2.0 AggregationEvent), so it is left out by default. */
  readonly disposition?: Disposition;
}

export interface UnpackingInput extends EventWhenWhere {
  readonly sscc: string;
  /** What comes out; everything when omitted. */
  readonly units?: readonly UnitRef[];
  readonly ssccs?: readonly string[];
  readonly disposition?: Disposition;
}

function aggregationEvent(
  input: PackingInput | UnpackingInput,
  action: EpcisAction,
  bizStep: 'packing' | 'unpacking',
): BuildResult<AggregationEvent> {
  const common = commonFields(input);
  if (!common.ok) return common;
  const parent = ssccIds([input.sscc]);
  if (!parent.ok) return { ...parent, path: '/sscc' };
  const units = unitIds(input.units ?? []);
  if (!units.ok) return units;
  const cases = ssccIds(input.ssccs ?? []);
  if (!cases.ok) return cases;
  const children = [...units.value, ...cases.value];
  if (action === 'ADD' && children.length === 0) {
    return err('EPCIS_SCHEMA_INVALID', 'packing needs at least one unit or inner SSCC', { path: '/childEPCs' });
  }
  if (new Set(children).size !== children.length) {
    return err('EPCIS_SCHEMA_INVALID', 'the same identifier is listed twice', { path: '/childEPCs' });
  }
  const { readPoint, bizLocation, bizTransactionList, ...when } = common.value;
  const event: AggregationEvent = {
    type: 'AggregationEvent',
    ...when,
    parentID: parent.value[0] as string,
    ...(children.length > 0 ? { childEPCs: children } : {}),
    action,
    bizStep,
    ...(input.disposition ? { disposition: input.disposition } : {}),
    readPoint,
    ...(bizLocation ? { bizLocation } : {}),
    ...(bizTransactionList ? { bizTransactionList } : {}),
  };
  return sealEvent(event);
}

/** CBV `packing`: units (or cases) go into the SSCC (ADD). */
export function buildPackingEvent(input: PackingInput): BuildResult<AggregationEvent> {
  return aggregationEvent(input, 'ADD', 'packing');
}

/** CBV `unpacking`: units (or all of them) come out of the SSCC (DELETE). */
export function buildUnpackingEvent(input: UnpackingInput): BuildResult<AggregationEvent> {
  return aggregationEvent(input, 'DELETE', 'unpacking');
}
