// The log entry of a recall (DESIGN.md §8, issue 6): the notice, and the EPCIS event (disposition `recalled`) that
// marks the units commissioned at issuance, signed by the ledger on the issuer's behalf.
//
//   entry        = { "v": 1, "recall": <notice>, "event": <EPCIS ObjectEvent>, "sig": <sig> }
//   signed bytes = UTF-8("pedigree/recall/v1\n") ‖ RFC 8785 JCS({ v, recall, event })
//   sig          = unpadded base64url of the 64-byte Ed25519 signature with the ledger's key
import { z } from 'zod';
import { err, ok, type Result } from '../result.js';
import { domainSeparatedBytes, isJsonObject, toJsonValue, type JsonObject } from './canonical-bytes.js';
import { checkEd25519, ED25519_SIGNATURE_SIZE } from './ed25519.js';
import { decodeBase64url } from './encoding.js';

/** Domain-separation prefix of recall entry signatures (distinct from every other ledger signature). */
export const RECALL_SIGNING_CONTEXT = 'pedigree/recall/v1\n';
export const RECALL_ENTRY_VERSION = 1 as const;

export interface UnsignedRecallEntry {
  readonly v: 1;
  readonly recall: JsonObject;
  readonly event: JsonObject;
}

export interface SignedRecallEntry extends UnsignedRecallEntry {
  readonly sig: string;
}

export const recallEntrySchema = z
  .object({
    v: z.literal(RECALL_ENTRY_VERSION),
    recall: z.custom<JsonObject>(isJsonObject, 'recall must be a JSON object'),
    event: z.custom<JsonObject>(isJsonObject, 'event must be a JSON object'),
    sig: z.string().refine((s) => decodeBase64url(s)?.length === ED25519_SIGNATURE_SIZE, 'sig must be unpadded base64url of 64 bytes'),
  })
  .strict();

/** Throws TypeError on non-JSON input (the ledger built it). */
export function recallEntrySigningBytes(entry: UnsignedRecallEntry): Uint8Array {
  const bytes = domainSeparatedBytes(RECALL_SIGNING_CONTEXT, { v: entry.v, recall: entry.recall, event: entry.event });
  if (bytes === undefined) throw new TypeError('recall entry is not canonicalisable JSON (RFC 8785)');
  return bytes;
}

/** The unsigned entry, its values copied as JSON data. Throws TypeError when they are not JSON objects. */
export function draftRecallEntry(input: { recall: unknown; event: unknown }): UnsignedRecallEntry {
  const recall = toJsonValue(input.recall);
  const event = toJsonValue(input.event);
  if (recall === undefined || !isJsonObject(recall) || event === undefined || !isJsonObject(event)) {
    throw new TypeError('a recall entry needs a JSON notice and a JSON event');
  }
  return { v: RECALL_ENTRY_VERSION, recall, event };
}

/** Parses a stored recall entry (JSON.parse of its bytes). Never throws; verify next. */
export function parseRecallEntry(json: unknown): Result<SignedRecallEntry, 'ENVELOPE_INVALID'> {
  const parsed = recallEntrySchema.safeParse(json);
  if (!parsed.success) return err('ENVELOPE_INVALID', parsed.error.issues[0]?.message ?? 'invalid recall entry');
  return ok(parsed.data as SignedRecallEntry);
}

/** Strict Ed25519 verification with the ledger's public key. Never throws. */
export function verifyRecallEntry(entry: SignedRecallEntry, ledgerPublicKey: Uint8Array): Result<true, 'SIGNATURE_INVALID' | 'KEY_INVALID'> {
  try {
    const signature = decodeBase64url(entry.sig);
    if (signature === undefined || signature.length !== ED25519_SIGNATURE_SIZE) return err('SIGNATURE_INVALID', 'sig is not 64 bytes');
    const failure = checkEd25519(signature, recallEntrySigningBytes(entry), ledgerPublicKey);
    if (failure === 'KEY_INVALID') return err('KEY_INVALID', 'ledger public key is not a strict Ed25519 key');
    if (failure === 'SIGNATURE_INVALID') return err('SIGNATURE_INVALID', 'recall entry signature does not verify');
    return ok(true);
  } catch {
    return err('SIGNATURE_INVALID', 'recall entry is not canonicalisable JSON (RFC 8785)');
  }
}
