// Public surface of schemas/epcis: EPCIS 2.0 event shapes and builders, JSON Schema validation, CBV 2.0 event hash IDs, XML conversion.

export * from './cbv.js';
export type * from './event-types.js';
export {
  CBVMDA_NAMESPACE,
  DEFAULT_NAMESPACES,
  EPCIS_CONTEXT_URL,
  PEDIGREE_CONTEXT,
  namespacesFromContext,
} from './json-ld-context.js';
export {
  formatEventTime,
  type BizTransactionInput,
  type BuildErrorCode,
  type BuildResult,
  type EventWhenWhere,
  type PartyAt,
  type SglnRef,
  type UnitRef,
} from './build-common.js';
export {
  buildCommissioningEvent,
  buildDecommissioningEvent,
  buildDestroyingEvent,
  buildDispensingEvent,
  buildReceivingEvent,
  buildReturningEvent,
  buildShippingEvent,
  buildVoidShippingEvent,
  type CommissioningInput,
  type DispensingInput,
  type EndOfLifeInput,
  type ObjectsInput,
  type ReceivingInput,
  type ReturningInput,
  type ShippingInput,
  type VoidShippingInput,
} from './build-object-events.js';
export { buildPackingEvent, buildUnpackingEvent, type PackingInput, type UnpackingInput } from './build-aggregation-events.js';
export { buildTransactionEvent, type TransactionInput } from './build-transaction-event.js';
export { buildEpcisDocument, type EpcisDocumentOptions } from './build-document.js';
export {
  MAX_REPORTED_ERRORS,
  validateEpcisDocument,
  validateEpcisEvent,
  type EpcisSchemaError,
  type EpcisValidationErr,
  type EpcisValidationResult,
} from './validate.js';
export {
  computeEventHashId,
  computeEventPreHash,
  hashIdFromPreHash,
  type EventHashOptions,
} from './event-hash.js';
export { computeDocumentEventHashIds, documentEvents, type DocumentEventHash } from './document-hash.js';
export { canonicalNumber, canonicalTimestamp, canonicalValue, formatNumber } from './canonical-value.js';
export { normaliseDigitalLink } from './digital-link-normaliser.js';
export { MAX_XML_DEPTH, epcisXmlToJsonLd } from './xml-to-json.js';
