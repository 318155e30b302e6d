// Stable error, rejection and alert codes shared by every part (DESIGN.md §§3, 4, 6). Never rename one: clients match on them.

/** Why a barcode, RFID read or GS1 identifier was refused (schemas/gs1). */
export const GS1_ERROR_CODES = [
  'NOT_GS1', // not GS1 data at all (no GS1 symbology identifier, not a Digital Link, not bracketed AIs)
  'EMPTY_INPUT',
  'INPUT_TOO_LONG',
  'MISSING_FNC1', // element string without FNC1 in first position
  'UNKNOWN_AI',
  'AI_VALUE_TOO_SHORT',
  'AI_VALUE_TOO_LONG',
  'INVALID_NUMERIC_CHARACTER',
  'INVALID_CSET82_CHARACTER',
  'INVALID_CSET39_CHARACTER',
  'INVALID_CSET64_CHARACTER',
  'INCORRECT_CHECK_DIGIT',
  'INVALID_DATE',
  'INVALID_TIME',
  'INVALID_COMPONENT', // any other syntax-dictionary linter (iso3166, pcenc, gcppos, …)
  'MISSING_REQUIRED_AI', // req= association, e.g. (21) without (01)
  'EXCLUDED_AI_PAIR', // ex= association, e.g. (01) with (02)
  'CONFLICTING_REPEATED_AI', // the same AI twice with different values
  'INVALID_DIGITAL_LINK',
  'INVALID_EPC', // malformed EPC hex or URN
  'UNSUPPORTED_EPC_SCHEME',
  'EPC_NOT_ENCODABLE', // a valid identifier that does not fit the requested binary scheme
] as const;
export type Gs1ErrorCode = (typeof GS1_ERROR_CODES)[number];

/** Why an EPCIS event or document was refused (schemas/epcis). */
export const EPCIS_ERROR_CODES = ['EPCIS_SCHEMA_INVALID', 'EPCIS_NOT_HASHABLE', 'EPCIS_XML_INVALID'] as const;
export type EpcisErrorCode = (typeof EPCIS_ERROR_CODES)[number];

/** Why a signature, proof or signed note did not verify (schemas/signing). */
export const SIGNING_ERROR_CODES = [
  'ENVELOPE_INVALID',
  'SIGNATURE_INVALID',
  'KEY_INVALID',
  'INCLUSION_PROOF_INVALID',
  'CONSISTENCY_PROOF_INVALID',
  'NOTE_MALFORMED',
  'NOTE_SIGNATURE_INVALID',
  'CHECKPOINT_MALFORMED', 'TLOG_PROOF_MALFORMED', 'LEDGER_MESSAGE_INVALID', 'DEVICE_MESSAGE_INVALID',
] as const;
export type SigningErrorCode = (typeof SIGNING_ERROR_CODES)[number];

/** Codes in a `rejected` receipt: why the ledger refused an envelope (DESIGN.md §§3–4). */
export const REJECTION_CODES = [
  'PAYLOAD_TOO_LARGE',
  'INVALID_JSON',
  'ENVELOPE_INVALID',
  'TOPIC_DEVICE_MISMATCH',
  'UNKNOWN_DEVICE',
  'DEVICE_REVOKED',
  'DEVICE_WRONG_LOCATION',
  'SIGNATURE_INVALID',
  'SEQ_REUSED',
  'EPCIS_INVALID',
  'EVENT_ID_MISMATCH',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Why the ledger dropped a device's recall acknowledgement (DESIGN.md §8; logged and counted, never answered). */
export const RECALL_ACK_REFUSAL_CODES = [
  'PAYLOAD_TOO_LARGE',
  'INVALID_JSON',
  'DEVICE_MESSAGE_INVALID',
  'TOPIC_DEVICE_MISMATCH',
  'UNKNOWN_DEVICE',
  'DEVICE_REVOKED',
  'SIGNATURE_INVALID',
  'RECALL_NOT_FOUND',
] as const;
export type RecallAckRefusalCode = (typeof RECALL_ACK_REFUSAL_CODES)[number];

/** Alert codes (DESIGN.md §6); the EU NMVS code each mirrors is in the comment. */
export const ALERT_CODES = [
  'UNKNOWN_SERIAL', // NMVS_NC_PC_02
  'DUPLICATE_COMMISSION',
  'ALREADY_INACTIVE', // NMVS_NC_PCK_22
  'LOCATION_CONFLICT',
  'CUSTODY_MISMATCH',
  'LOT_MISMATCH', // NMVS_FE_LOT_13
  'EXPIRY_MISMATCH', // NMVS_FE_LOT_12
  'AGGREGATION_CONFLICT',
  'RECALLED_UNIT_MOVED',
  'EXPIRED_UNIT_DISPENSED',
] as const;
export type AlertCode = (typeof ALERT_CODES)[number];

export const ALERT_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Severity of each alert: what a pharmacist or regulator must look at first. */
export const ALERT_SEVERITY: Readonly<Record<AlertCode, AlertSeverity>> = {
  UNKNOWN_SERIAL: 'critical',
  DUPLICATE_COMMISSION: 'critical',
  ALREADY_INACTIVE: 'critical',
  LOCATION_CONFLICT: 'high',
  CUSTODY_MISMATCH: 'high',
  LOT_MISMATCH: 'high',
  EXPIRY_MISMATCH: 'high',
  AGGREGATION_CONFLICT: 'medium',
  RECALLED_UNIT_MOVED: 'critical',
  EXPIRED_UNIT_DISPENSED: 'high',
};

export const RECEIPT_STATUSES = ['accepted', 'duplicate', 'rejected'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** DSCSA verification failure reasons and additional info (DESIGN.md §7). */
export const VERIFICATION_FAILURE_REASONS = [
  'No_match_GTIN',
  'No_match_GTIN_Serial',
  'No_match_GTIN_Serial_Lot',
  'No_match_GTIN_Serial_Expiry',
  'No_match_GTIN_Serial_Lot_Expiry',
] as const;
export type VerificationFailureReason = (typeof VERIFICATION_FAILURE_REASONS)[number];

export const VERIFICATION_ADDITIONAL_INFO = ['Recalled', 'Suspect', 'Expired'] as const;
export type VerificationAdditionalInfo = (typeof VERIFICATION_ADDITIONAL_INFO)[number];
