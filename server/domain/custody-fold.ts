// The unit state machine of DESIGN.md §6, as a pure fold over a unit's steps in eventTime order. The same fold serves
// live ingest (one step at a time), late events (the unit's steps refolded from the start) and rebuild-state, so
// the state and the alerts it raises depend only on the steps, never on their arrival order.
import type { AlertCode } from '../../schemas/codes.js';
import { recallCovers, type ActiveRecallScope } from './recall-scope.js';
import { TERMINAL_STATES, type CustodyFacts, type RaisedAlert, type UnitState, type UnitStateName, type UnitStep } from './custody-model.js';

export interface FoldStep {
  readonly step: UnitStep;
  readonly facts: CustodyFacts;
}

/** Steps in the order the fold reads them: eventTime, then index (arrival) for equal times. */
export function compareSteps(a: FoldStep, b: FoldStep): number {
  if (a.step.eventTime < b.step.eventTime) return -1;
  if (a.step.eventTime > b.step.eventTime) return 1;
  return a.step.index - b.step.index;
}

type Operation =
  | { kind: 'commission' }
  | { kind: 'ship' }
  | { kind: 'receive' }
  | { kind: 'void' }
  | { kind: 'end'; state: UnitStateName }
  | { kind: 'pack' }
  | { kind: 'unpack' }
  | { kind: 'packParent' }
  | { kind: 'recall' }
  | { kind: 'observe' }
  | { kind: 'none' };

/** What the step does to the identifier (CBV 2.0 §7.1 bizStep, §7.2 disposition, EPCIS 2.0 §7.4 action). */
export function operationOf(f: CustodyFacts, role: UnitStep['role']): Operation {
  if (f.corrects !== null) return { kind: 'none' }; // an errorDeclaration retracts; it moves nothing itself
  if (f.type === 'TransactionEvent') return { kind: 'none' };
  if (f.type === 'AggregationEvent') {
    if (role === 'child') return f.action === 'ADD' ? { kind: 'pack' } : f.action === 'DELETE' ? { kind: 'unpack' } : { kind: 'observe' };
    if (role === 'parent') return f.action === 'ADD' ? { kind: 'packParent' } : { kind: 'observe' };
  }
  if (f.disposition === 'recalled') return { kind: 'recall' };
  switch (f.bizStep) {
    case 'commissioning':
      return role === 'via' ? { kind: 'observe' } : { kind: 'commission' };
    case 'shipping':
      return { kind: 'ship' };
    case 'receiving':
      return { kind: 'receive' };
    case 'void_shipping':
      return { kind: 'void' };
    case 'dispensing':
    case 'retail_selling':
      return { kind: 'end', state: 'dispensed' };
    case 'destroying':
      return { kind: 'end', state: 'destroyed' };
    case 'decommissioning':
      return { kind: 'end', state: 'decommissioned' };
    case 'sampling':
      return { kind: 'end', state: 'sample' };
  }
  switch (f.disposition) {
    case 'dispensed':
    case 'partially_dispensed':
    case 'retail_sold':
      return { kind: 'end', state: 'dispensed' };
    case 'destroyed':
    case 'disposed':
      return { kind: 'end', state: 'destroyed' };
    case 'stolen':
      return { kind: 'end', state: 'stolen' };
  }
  if (f.action === 'DELETE') return { kind: 'end', state: 'decommissioned' };
  if (f.action === 'ADD' && role !== 'via' && f.type === 'ObjectEvent') return { kind: 'commission' };
  return { kind: 'observe' };
}

function sites(...glns: (string | null | undefined)[]): string[] {
  return [...new Set(glns.filter((g): g is string => typeof g === 'string' && g.length > 0))].sort();
}

function evidence(...indexes: (number | null | undefined)[]): number[] {
  return [...new Set(indexes.filter((i): i is number => typeof i === 'number'))].sort((a, b) => a - b);
}

/**
 * Applies one step. `raise` receives each alert the step triggers; the returned state is the unit after the step.
 * Suspect steps still move the unit where physical custody evidently is (the latest observation wins), so one
 * anomaly is reported once, not again at every later step of the same pack.
 */
export function foldStep(
  s: UnitState,
  { step, facts: f }: FoldStep,
  raise: (alert: RaisedAlert) => void,
  recalls: readonly ActiveRecallScope[] = [],
): UnitState {
  if (f.retractedBy !== null) return s; // declared erroneous: as if it had never happened (CBV 2.0 §8.9)
  const actor = f.party;
  const idx = step.index;
  let next: { -readonly [K in keyof UnitState]: UnitState[K] } = {
    ...s,
    lastIndex: Math.max(s.lastIndex, idx),
    lastEventTime: s.lastEventTime > step.eventTime ? s.lastEventTime : step.eventTime,
  };
  const alert = (code: AlertCode, ev: number[], concerned: string[], detail: string) =>
    raise({ code, epc: s.epc, triggerIndex: idx, evidence: ev, sites: concerned, detail, eventTime: step.eventTime });
  const op = operationOf(f, step.role);
  if (op.kind === 'none') return next;

  const isUnit = s.kind === 'unit';
  const known = s.commissionedIndex !== null;

  if (op.kind === 'commission' && isUnit) {
    if (known) {
      alert('DUPLICATE_COMMISSION', evidence(s.commissionedIndex, idx), sites(s.owner, actor), `serial commissioned again (first at entry ${s.commissionedIndex})`);
      return next;
    }
    const commissioned: UnitState = {
      ...next,
      state: s.state === 'unknown' ? 'active' : s.state,
      commissionedIndex: idx,
      lot: f.lot ?? step.lot,
      expiry: f.expiry ?? step.expiry,
      owner: actor,
      custodian: s.state === 'unknown' && s.custodian !== null ? s.custodian : actor,
      location: s.state === 'unknown' && s.location !== null ? s.location : f.location,
      custodyIndex: s.custodyIndex ?? idx,
    };
    // DESIGN.md §8: a unit commissioned into a recalled lot (or serial range) is recalled on arrival.
    const recall = commissioned.recalled ? undefined : recalls.find((r) => recallCovers(r, commissioned));
    return recall ? { ...commissioned, recalled: true, recallIndex: recall.index ?? commissioned.recallIndex } : commissioned;
  }

  if (!known) {
    if (isUnit) {
      // NMVS_NC_PC_02: raised once per serial, at the first step that names it.
      if (!s.unknownAlerted) {
        alert('UNKNOWN_SERIAL', [idx], sites(actor), 'a custody event names a serial that was never commissioned');
        next.unknownAlerted = true;
      }
      return move(next, op, f, idx);
    }
    // A container comes into being the first time it is packed or seen.
    next = { ...next, state: 'active', commissionedIndex: idx, owner: actor, custodian: actor, location: f.location, custodyIndex: idx };
    return move(next, op, f, idx);
  }

  if (op.kind === 'recall') return { ...next, recalled: true, recallIndex: s.recallIndex ?? idx };

  if (TERMINAL_STATES.has(s.state)) {
    // NMVS_NC_PCK_22: a pack that left the supply chain shows up again, a clone signal.
    alert('ALREADY_INACTIVE', evidence(s.terminalIndex, idx), sites(s.custodian, actor), `the ${isUnit ? 'pack' : 'container'} is ${s.state} (entry ${s.terminalIndex}) and was seen again`);
    return next;
  }

  if (isUnit && step.lot !== null && s.lot !== null && step.lot !== s.lot) {
    alert('LOT_MISMATCH', evidence(s.commissionedIndex, idx), sites(actor, s.owner), `scanned lot ${step.lot} differs from the commissioned lot ${s.lot}`);
  }
  if (isUnit && step.expiry !== null && s.expiry !== null && step.expiry !== s.expiry) {
    alert('EXPIRY_MISMATCH', evidence(s.commissionedIndex, idx), sites(actor, s.owner), `scanned expiry ${step.expiry} differs from the commissioned expiry ${s.expiry}`);
  }

  const present = actor === null || s.custodian === actor || (s.state === 'in_transit' && s.destinationParty === actor);
  if (op.kind === 'receive') {
    if (actor !== null && s.state === 'in_transit' && s.destinationParty !== null && s.destinationParty !== actor) {
      alert('CUSTODY_MISMATCH', evidence(s.shipIndex, idx), sites(s.custodian, s.destinationParty, actor), `received by ${actor} but shipped to ${s.destinationParty}`);
    } else if (actor !== null && s.custodian !== actor && !(s.state === 'in_transit' && s.destinationParty === actor)) {
      alert('LOCATION_CONFLICT', evidence(s.custodyIndex, idx), sites(s.custodian, actor), `received by ${actor} while held by ${s.custodian} with no shipment to it`);
    }
  } else if (!present && op.kind !== 'unpack') {
    alert('LOCATION_CONFLICT', evidence(s.custodyIndex, s.shipIndex, idx), sites(s.custodian, actor), `seen at ${actor} while ${s.state === 'in_transit' ? `in transit to ${s.destinationParty}` : `held by ${s.custodian}`}`);
  }

  if (s.recalled && (op.kind === 'ship' || op.kind === 'receive' || (op.kind === 'end' && op.state === 'dispensed'))) {
    alert('RECALLED_UNIT_MOVED', evidence(s.recallIndex, idx), sites(actor, s.owner, op.kind === 'ship' ? f.destinationParty : null), `a recalled ${isUnit ? 'pack' : 'container'} was ${f.bizStep ?? op.kind}`);
  }
  if (isUnit && op.kind === 'end' && op.state === 'dispensed' && s.expiry !== null && s.expiry < f.eventDate) {
    alert('EXPIRED_UNIT_DISPENSED', evidence(s.commissionedIndex, idx), sites(actor, s.owner), `dispensed on ${f.eventDate}, after its expiry ${s.expiry}`);
  }
  if (op.kind === 'pack' && s.container !== null && s.container !== f.parent) {
    alert('AGGREGATION_CONFLICT', evidence(s.containerIndex, idx), sites(actor, s.custodian), `packed into ${f.parent} while still in ${s.container}`);
  }
  return move(next, op, f, idx);
}

/** The movement a step makes, checks aside. */
function move(s: { -readonly [K in keyof UnitState]: UnitState[K] }, op: Operation, f: CustodyFacts, idx: number): UnitState {
  const here = () => {
    if (f.party !== null && s.custodian !== f.party) {
      s.custodian = f.party;
      s.custodyIndex = idx;
    }
    if (f.location !== null) s.location = f.location;
  };
  const live = s.state !== 'unknown';
  switch (op.kind) {
    case 'ship':
      here();
      if (live) s.state = 'in_transit';
      s.destinationParty = f.destinationParty;
      s.destinationLocation = f.destinationLocation;
      s.shipIndex = idx;
      break;
    case 'receive':
      if (f.party !== null) s.custodian = f.party;
      s.custodyIndex = idx;
      if (f.location !== null) s.location = f.location;
      if (live) s.state = 'active';
      s.destinationParty = null;
      s.destinationLocation = null;
      s.shipIndex = null;
      break;
    case 'void':
      if (live && s.state === 'in_transit') s.state = 'active';
      s.destinationParty = null;
      s.destinationLocation = null;
      s.shipIndex = null;
      break;
    case 'end':
      here();
      if (live) s.state = op.state;
      s.terminalIndex = idx;
      s.container = null;
      s.containerIndex = idx;
      s.destinationParty = null;
      s.destinationLocation = null;
      break;
    case 'pack':
      here();
      s.container = f.parent;
      s.containerIndex = idx;
      break;
    case 'unpack':
      if (s.container === f.parent) {
        s.container = null;
        s.containerIndex = idx;
      }
      break;
    case 'packParent':
    case 'observe':
      here();
      break;
    case 'recall':
      s.recalled = true;
      s.recallIndex ??= idx;
      break;
    case 'commission':
    case 'none':
      break;
  }
  return s;
}

/** Folds steps (any order) from the empty state; returns the final state and every alert raised. */
export function foldSteps(
  initial: UnitState,
  steps: readonly FoldStep[],
  recalls: readonly ActiveRecallScope[] = [],
): { state: UnitState; raised: RaisedAlert[] } {
  const raised: RaisedAlert[] = [];
  let state = initial;
  for (const s of [...steps].sort(compareSteps)) state = foldStep(state, s, (a) => raised.push(a), recalls);
  return { state, raised };
}
