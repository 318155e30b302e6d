// Builder of TransactionEvents: tying units or containers to a business transaction (a purchase order, an invoice).
//
// EPCIS 2.0 TransactionEvent: ADD associates the objects with the transactions in bizTransactionList, DELETE
// dissociates them. CBV 2.0 business transaction types (`po`, `inv`, `desadv`, …). Sealed with its hash ID.

import { err } from '../result.js';
import {
  bizTransactions,
  commonFields,
  sealEvent,
  ssccIds,
  unitIds,
  type BizTransactionInput,
  type BuildResult,
  type EventWhenWhere,
  type UnitRef,
} from './build-common.js';
import type { BizStep, Disposition } from './cbv.js';
import type { TransactionEvent } from './event-types.js';

export interface TransactionInput extends Omit<EventWhenWhere, 'bizTransactions'> {
  readonly action?: 'ADD' | 'DELETE';
  /** At least one: the transactions the objects are tied to. */
  readonly bizTransactions: readonly BizTransactionInput[];
  readonly units?: readonly UnitRef[];
  readonly ssccs?: readonly string[];
  /** A container the whole transaction refers to. */
  readonly parentSscc?: string;
  readonly bizStep?: BizStep;
  readonly disposition?: Disposition;
}

/** A TransactionEvent (ADD by default) for a PO, invoice or despatch advice. */
export function buildTransactionEvent(input: TransactionInput): BuildResult<TransactionEvent> {
  if (input.bizTransactions.length === 0) {
    return err('EPCIS_SCHEMA_INVALID', 'a TransactionEvent needs at least one business transaction', { path: '/bizTransactionList' });
  }
  const common = commonFields(input);
  if (!common.ok) return common;
  const units = unitIds(input.units ?? []);
  if (!units.ok) return units;
  const cases = ssccIds(input.ssccs ?? []);
  if (!cases.ok) return cases;
  let parentID: string | undefined;
  if (input.parentSscc !== undefined) {
    const parent = ssccIds([input.parentSscc]);
    if (!parent.ok) return { ...parent, path: '/parentSscc' };
    parentID = parent.value[0];
  }
  const epcs = [...units.value, ...cases.value];
  if (new Set(epcs).size !== epcs.length) return err('EPCIS_SCHEMA_INVALID', 'the same identifier is listed twice', { path: '/epcList' });
  const { readPoint, bizLocation, bizTransactionList: _ignored, ...when } = common.value;
  const event: TransactionEvent = {
    type: 'TransactionEvent',
    ...when,
    bizTransactionList: bizTransactions(input.bizTransactions),
    ...(parentID !== undefined ? { parentID } : {}),
    epcList: epcs,
    action: input.action ?? 'ADD',
    ...(input.bizStep ? { bizStep: input.bizStep } : {}),
    ...(input.disposition ? { disposition: input.disposition } : {}),
    readPoint,
    ...(bizLocation ? { bizLocation } : {}),
  };
  return sealEvent(event);
}
