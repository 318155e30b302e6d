// The shapes of the EPCIS 2.0 JSON-LD events and documents Pedigree exchanges (DESIGN.md §3; EPCIS 2.0 §7, §12).
//
// These describe what Pedigree's builders produce. Events received from elsewhere are `unknown` until
// validateEpcisEvent accepts them; even then they may carry fields these types do not name.

import type { BizStep, BizTransactionType, Disposition, SourceDestType } from './cbv.js';
import type { PEDIGREE_CONTEXT } from './json-ld-context.js';

/** EPCIS 2.0 action values. */
export type EpcisAction = 'ADD' | 'OBSERVE' | 'DELETE';

/** A CBV 2.0 bare word, or a URI for a vocabulary element outside the CBV (EPCIS 2.0 JSON-LD binding and the JSON Schema). */
export type VocabularyValue<W extends string> = W | (string & {});

/** A location or read point: an SGLN Digital Link, `https://id.gs1.org/414/{gln}[/254/{ext}]`. */
export interface LocationRef {
  readonly id: string;
}

export interface QuantityElement {
  readonly epcClass: string;
  readonly quantity?: number;
  readonly uom?: string;
}

export interface BizTransaction {
  readonly type?: VocabularyValue<BizTransactionType>;
  readonly bizTransaction: string;
}

export interface SourceElement {
  readonly type: VocabularyValue<SourceDestType>;
  readonly source: string;
}

export interface DestinationElement {
  readonly type: VocabularyValue<SourceDestType>;
  readonly destination: string;
}

export interface PersistentDisposition {
  readonly set?: readonly VocabularyValue<Disposition>[];
  readonly unset?: readonly VocabularyValue<Disposition>[];
}

/** CBV 2.0 master data (cbvmda) of a commissioned class instance: lot (AI 10) and expiry (AI 17, xsd:date). */
export interface PedigreeIlmd {
  readonly 'cbvmda:lotNumber'?: string;
  readonly 'cbvmda:itemExpirationDate'?: string;
  readonly [extension: `${string}:${string}`]: unknown;
}

export interface ErrorDeclaration {
  readonly declarationTime: string;
  readonly reason?: VocabularyValue<'did_not_occur' | 'incorrect_data'>;
  readonly correctiveEventIDs?: readonly string[];
}

/** Fields every EPCIS 2.0 event has (EPCIS 2.0 EPCISEvent). */
export interface EpcisEventBase {
  /** The CBV 2.0 event hash ID (`ni:///sha-256;…?ver=CBV2.0`), DESIGN.md §3. */
  readonly eventID?: string;
  /** ISO 8601 with milliseconds and the offset of `eventTimeZoneOffset`, e.g. `2024-03-01T10:15:00.000+01:00`. */
  readonly eventTime: string;
  readonly eventTimeZoneOffset: string;
  readonly recordTime?: string;
  readonly errorDeclaration?: ErrorDeclaration;
  readonly certificationInfo?: string | readonly string[];
  readonly bizStep?: VocabularyValue<BizStep>;
  readonly disposition?: VocabularyValue<Disposition>;
  readonly readPoint?: LocationRef;
  readonly bizLocation?: LocationRef;
  readonly bizTransactionList?: readonly BizTransaction[];
  readonly sourceList?: readonly SourceElement[];
  readonly destinationList?: readonly DestinationElement[];
}

/** EPCIS 2.0 ObjectEvent: what happened to objects. */
export interface ObjectEvent extends EpcisEventBase {
  readonly type: 'ObjectEvent';
  readonly action: EpcisAction;
  readonly epcList?: readonly string[];
  readonly quantityList?: readonly QuantityElement[];
  readonly persistentDisposition?: PersistentDisposition;
  readonly ilmd?: PedigreeIlmd;
}

/** EPCIS 2.0 AggregationEvent: objects put into (ADD) or taken out of (DELETE) a container. */
export interface AggregationEvent extends EpcisEventBase {
  readonly type: 'AggregationEvent';
  readonly action: EpcisAction;
  readonly parentID?: string;
  readonly childEPCs?: readonly string[];
  readonly childQuantityList?: readonly QuantityElement[];
}

/** EPCIS 2.0 TransactionEvent: objects tied to (ADD) or released from (DELETE) a business transaction. */
export interface TransactionEvent extends EpcisEventBase {
  readonly type: 'TransactionEvent';
  readonly action: EpcisAction;
  readonly bizTransactionList: readonly BizTransaction[];
  readonly parentID?: string;
  readonly epcList?: readonly string[];
  readonly quantityList?: readonly QuantityElement[];
}

/** The events Pedigree builds. */
export type PedigreeEvent = ObjectEvent | AggregationEvent | TransactionEvent;

/** EPCIS 2.0 JSON-LD EPCISDocument as Pedigree writes it. */
export interface EpcisDocument {
  readonly '@context': typeof PEDIGREE_CONTEXT;
  readonly type: 'EPCISDocument';
  readonly schemaVersion: '2.0';
  readonly creationDate: string;
  readonly epcisBody: { readonly eventList: readonly PedigreeEvent[] };
}
