// Why the gateway refused a read locally (logged and shown to the operator, answered with NAK, never published).
import type { EpcisErrorCode, Gs1ErrorCode } from '../schemas/codes.js';

export const GATEWAY_REFUSAL_CODES = [
  'FRAME_TOO_LONG', // more bytes than maxFrameLength before a terminator
  'NOT_SERIALIZED', // GS1 data, but neither a unit (01)+(21), an SSCC (00) nor a control label
  'WRONG_KIND', // e.g. an SSCC at a dispensing counter, a unit where a container is expected
  'UNSUPPORTED_TAG', // an RFID tag that is not an SGTIN or SSCC
  'ILMD_MISSING', // commissioning without a lot or expiry (from the label or the scanner's configuration)
  'NO_OPEN_CONTAINER', // packing a unit before scanning the case/pallet SSCC
  'NO_COUNTERPARTY', // shipping without a destination, receiving or returning without a source
  'RECALLED', // dispensing/verify: the unit is in a recall the ledger signed
  'RECALL_LOT_UNKNOWN', // dispensing/verify: a lot-scoped recall of this GTIN and a label without a lot
  'SUSPECT', // dispensing/verify: a signed site alert names the unit
  'EXPIRED', // dispensing: the label's expiry date has passed
  'NOT_VERIFIED', // verify: the ledger's answer was verified=false
  'VERIFY_UNAVAILABLE', // verify: the ledger could not be asked
  'OUTBOX_FAILED', // the read could not be made durable (disk error): never acknowledged
] as const;
export type GatewayRefusalCode = (typeof GATEWAY_REFUSAL_CODES)[number];

export type RefusalCode = GatewayRefusalCode | Gs1ErrorCode | EpcisErrorCode;
