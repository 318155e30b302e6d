// Public surface of schemas/gs1: GS1 barcodes, Digital Links and (EPC binary/URI, appended below) RFID identifiers.

export { computeCheckDigit, hasValidCheckDigit } from './check-digit.js';
export type { AiComponent, AiCset, AiEntry, Gs1Ai } from './ai-entry.js';
export { AI_DICTIONARY_RELEASE, AI_TABLE } from './ai-table.generated.js';
export { AI_DEFINITIONS, isDlPrimaryKey, isValidDlPathSequence, lookupAi, type AiDefinition } from './ai-table.js';
export { LINTERS, type LintFailure, type Linter } from './linters.js';
export { expandYear, expandYymmdd } from './expand-yymmdd.js';
export {
  DEFAULT_MAX_INPUT_LENGTH,
  type Gs1AiList,
  type Gs1ParseOptions,
  type Gs1Scan,
  type Gs1Source,
} from './gs1-scan.js';
export { parseElementString, toElementString, type ElementStringOptions } from './element-string.js';
export { parseBracketed, toBracketed } from './bracketed.js';
export {
  CANONICAL_DL_STEM,
  formatDigitalLink,
  parseDigitalLink,
  pglnDigitalLink,
  sglnDigitalLink,
  ssccDigitalLink,
  unitDigitalLink,
  type FormatDigitalLinkOptions,
} from './digital-link.js';
export { formatScanData, parseScan } from './scan-data.js';
// EPC binary and URI encodings (epc-binary.ts, epc-uri.ts): append their exports below this line.
export {
  digitalLinkToEpcUri,
  elementStringToEpcUri,
  epcIdentityToDigitalLink,
  epcUriToDigitalLink,
  epcUriToElementString,
  formatEpcUri,
  parseEpcUri,
} from './epc-uri.js';
export { canonicalizeDigitalLink } from './epc-digital-link.js';
export type { EpcClassPatternScheme, EpcIdScheme, EpcIdentity } from './epc-identity.js';
export { decodeEpcHex, encodeEpc, encodePureEpc, pureUriToTagUri, tagUriToPureUri } from './epc-binary.js';
export type { DecodedEpc, EncodeEpcOptions, EpcBinaryScheme, TagEncodingOptions } from './epc-binary.js';
