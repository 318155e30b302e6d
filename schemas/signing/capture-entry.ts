// The log entry of an EPCIS event captured over HTTP (POST /epcis/capture): signed by the ledger on the capturing
// party's behalf, since a trading partner's EPCIS system has no device key (DESIGN.md §§3, 5, 9).
//
// Contract:
//   entry        = { "v": 1, "party": <GLN of the capturing party, or "admin">, "captureID": <capture job id>,
//                    "context"?: <the captured document's @context>, "event": <EPCIS event as captured>, "sig": <sig> }
//   signed bytes = UTF-8("pedigree/capture/v1\n") ‖ RFC 8785 JCS({ v, party, captureID, context?, event })
//   sig          = unpadded base64url of the 64-byte Ed25519 signature with the ledger's key (GET /v1/verifier-key)
// The signature says "the ledger received this event from this party's token in this capture job"; the party is
// recorded in the signed bytes, so it cannot be changed later without the audit noticing. `admin` is the ledger
// operator's admin token, which belongs to no party (DESIGN.md §9: "the admin may call every route"). `context` keeps the
// document's namespace prefixes: the event's extension fields (`example:myField`) mean nothing without them, and
// its CBV 2.0 event hash ID depends on them. The event is stored exactly as captured (its own eventID, if any, too).
import { z } from 'zod';
import { err, ok, type Result } from '../result.js';
import { domainSeparatedBytes, isJsonObject, isJsonValue, toJsonValue, type JsonObject, type JsonValue } from './canonical-bytes.js';
import { checkEd25519, ED25519_SIGNATURE_SIZE, signEd25519 } from './ed25519.js';
import { decodeBase64url, encodeBase64url } from './encoding.js';

/** Domain-separation prefix of capture entry signatures (distinct from `pedigree/event/v1\n` and `pedigree/ledger/v1\n`). */
export const CAPTURE_SIGNING_CONTEXT = 'pedigree/capture/v1\n';
export const CAPTURE_ENTRY_VERSION = 1 as const;

/** A capture entry before the ledger signs it. */
export interface UnsignedCaptureEntry {
  readonly v: 1;
  readonly party: string;
  readonly captureID: string;
  readonly context?: JsonValue;
  readonly event: JsonObject;
}

export interface SignedCaptureEntry extends UnsignedCaptureEntry {
  readonly sig: string;
}

/** Capture job ids: what the ledger generates, bounded so an entry stays small. */
export const CAPTURE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function isSignatureText(text: string): boolean {
  return decodeBase64url(text)?.length === ED25519_SIGNATURE_SIZE;
}

/** zod schema of a signed capture entry: strict, so a field the signature would not cover is refused. */
export const captureEntrySchema = z
  .object({
    v: z.literal(CAPTURE_ENTRY_VERSION),
    party: z.string().regex(/^(?:[0-9]{13}|admin)$/, 'party must be a 13-digit GLN or admin'),
    captureID: z.string().regex(CAPTURE_ID_PATTERN, 'captureID must match ^[A-Za-z0-9_-]{1,64}$'),
    context: z.custom<JsonValue>((v) => isJsonValue(v), 'context must be JSON').optional(),
    // Kept by reference (z.custom does not copy), so the bytes verified are the bytes stored.
    event: z.custom<JsonObject>(isJsonObject, 'event must be a JSON object'),
    sig: z.string().refine(isSignatureText, 'sig must be unpadded base64url of 64 bytes'),
  })
  .strict();

/** `UTF-8("pedigree/capture/v1\n") ‖ JCS({v, party, captureID, context?, event})`. Throws TypeError on non-JSON input. */
export function captureEntrySigningBytes(entry: UnsignedCaptureEntry): Uint8Array {
  const { v, party, captureID, context, event } = entry;
  const signed = context === undefined ? { v, party, captureID, event } : { v, party, captureID, context, event };
  const bytes = domainSeparatedBytes(CAPTURE_SIGNING_CONTEXT, signed);
  if (bytes === undefined) throw new TypeError('capture entry is not canonicalisable JSON (RFC 8785)');
  return bytes;
}

/**
 * The unsigned entry for an event captured by `party`, its values copied as JSON data (undefined properties
 * dropped, as JSON.stringify would). Throws TypeError when the event is not a JSON object or the ids are malformed:
 * the ledger built them from input it had already validated.
 */
export function draftCaptureEntry(input: { party: string; captureID: string; context?: unknown; event: unknown }): UnsignedCaptureEntry {
  const event = toJsonValue(input.event);
  if (event === undefined || !isJsonObject(event)) throw new TypeError('a captured event must be a JSON object');
  const context = input.context === undefined ? undefined : toJsonValue(input.context);
  const draft: UnsignedCaptureEntry =
    context === undefined
      ? { v: CAPTURE_ENTRY_VERSION, party: input.party, captureID: input.captureID, event }
      : { v: CAPTURE_ENTRY_VERSION, party: input.party, captureID: input.captureID, context, event };
  const checked = captureEntrySchema.safeParse({ ...draft, sig: 'A'.repeat(86) });
  if (!checked.success) throw new TypeError(`invalid capture entry: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return draft;
}

/** Signs with the ledger's 32-byte Ed25519 secret key (noble; the server signs the same bytes with node:crypto). */
export function signCaptureEntry(draft: UnsignedCaptureEntry, secretKey: Uint8Array): SignedCaptureEntry {
  return { ...draft, sig: encodeBase64url(signEd25519(captureEntrySigningBytes(draft), secretKey)) };
}

/** Parses a stored capture entry (JSON.parse of its bytes). Never throws; verify next. */
export function parseCaptureEntry(json: unknown): Result<SignedCaptureEntry, 'ENVELOPE_INVALID'> {
  try {
    const parsed = captureEntrySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue === undefined ? '' : issue.path.map((p) => `/${String(p)}`).join('');
      return err('ENVELOPE_INVALID', issue?.message ?? 'invalid capture entry', path === '' ? {} : { path });
    }
    return ok(parsed.data as SignedCaptureEntry);
  } catch {
    return err('ENVELOPE_INVALID', 'capture entry could not be read');
  }
}

/** Strict Ed25519 verification of a capture entry with the ledger's public key. Never throws. */
export function verifyCaptureEntry(entry: SignedCaptureEntry, ledgerPublicKey: Uint8Array): Result<true, 'SIGNATURE_INVALID' | 'KEY_INVALID'> {
  try {
    const signature = decodeBase64url(entry.sig);
    if (signature === undefined || signature.length !== ED25519_SIGNATURE_SIZE) {
      return err('SIGNATURE_INVALID', 'sig is not unpadded base64url of 64 bytes');
    }
    const failure = checkEd25519(signature, captureEntrySigningBytes(entry), ledgerPublicKey);
    if (failure === 'KEY_INVALID') return err('KEY_INVALID', 'ledger public key is not a strict Ed25519 key');
    if (failure === 'SIGNATURE_INVALID') return err('SIGNATURE_INVALID', 'capture entry signature does not verify');
    return ok(true);
  } catch {
    return err('SIGNATURE_INVALID', 'capture entry is not canonicalisable JSON (RFC 8785)');
  }
}
