// The signed envelope a gateway publishes for each custody event (DESIGN.md §3), and its signing bytes.
//
// Contract:
//   envelope     = { "v": 1, "device": <device id>, "seq": <uint>, "event": <EPCIS event object>, "sig": <sig> }
//   signed bytes = UTF-8("pedigree/event/v1\n") ‖ RFC 8785 JCS({ v, device, seq, event })
//   sig          = unpadded base64url of the 64-byte Ed25519 signature (RFC 8032) over the signed bytes
// Because the bytes are canonical JSON, key order and whitespace of the transmitted JSON do not matter; every
// value does. The server still stores the exact bytes it received (DESIGN.md §3).
import { z } from 'zod';
import { err, ok, type Result } from '../result.js';
import { DEVICE_ID_PATTERN } from '../topics.js';
import { canonicalJson, domainSeparatedBytes, isJsonObject, toJsonValue, type JsonObject } from './canonical-bytes.js';
import { checkEd25519, ED25519_SIGNATURE_SIZE, signEd25519 } from './ed25519.js';
import { concatBytes, decodeBase64url, encodeBase64url, encodeUtf8 } from './encoding.js';

/** Domain-separation prefix of envelope signatures. A new envelope format gets a new prefix. */
export const EVENT_SIGNING_CONTEXT = 'pedigree/event/v1\n';
export const ENVELOPE_VERSION = 1 as const;

/** An envelope before signing: what the gateway builds. */
export interface UnsignedEnvelope {
  readonly v: 1;
  readonly device: string;
  readonly seq: number;
  readonly event: JsonObject;
}

/** An envelope as published and as stored in the log. */
export interface SignedEnvelope extends UnsignedEnvelope {
  readonly sig: string;
}

function isSignatureText(text: string): boolean {
  return decodeBase64url(text)?.length === ED25519_SIGNATURE_SIZE;
}

/** zod schema of a signed envelope: strict, so an unknown key (which the signature would not cover) is refused. */
export const envelopeSchema = z
  .object({
    v: z.literal(ENVELOPE_VERSION),
    device: z.string().regex(DEVICE_ID_PATTERN, 'device id must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    // Kept by reference (z.custom does not copy), so the bytes verified are the bytes received.
    event: z.custom<JsonObject>(isJsonObject, 'event must be a JSON object (finite numbers, Unicode, depth ≤ 64)'),
    sig: z.string().refine(isSignatureText, 'sig must be unpadded base64url of 64 bytes'),
  })
  .strict();

/**
 * `UTF-8("pedigree/event/v1\n") ‖ JCS({v, device, seq, event})`: the bytes an envelope's signature covers.
 * Any `sig` on the argument is ignored. Throws TypeError when `event` is not plain JSON data (only possible for
 * an envelope that did not come through parseEnvelope: a programming error).
 */
export function envelopeSigningBytes(envelope: UnsignedEnvelope): Uint8Array {
  const { v, device, seq, event } = envelope;
  // Keys in canonical order, so an event that is canonical already (what our gateways publish) is serialised
  // natively (canonicalJson).
  const bytes = domainSeparatedBytes(EVENT_SIGNING_CONTEXT, { device, event, seq, v });
  if (bytes === undefined) throw new TypeError('envelope is not canonicalisable JSON (RFC 8785)');
  return bytes;
}

/**
 * The signing bytes of an envelope and the JSON text to publish once it is signed: the RFC 8785 text of the signed
 * envelope, which is the canonical text of the unsigned one with `"sig"` placed between `"seq"` and `"v"`. A
 * receiver that finds canonical input skips re-sorting it. Throws TypeError as envelopeSigningBytes does.
 */
export function envelopeForSigning(envelope: UnsignedEnvelope): { readonly bytes: Uint8Array; publishedText(sig: string): string } {
  const { v, device, seq, event } = envelope;
  const text = canonicalJson({ device, event, seq, v });
  const tail = `,"v":${ENVELOPE_VERSION}}`;
  if (text === undefined || v !== ENVELOPE_VERSION || !text.endsWith(tail)) throw new TypeError('envelope is not canonicalisable JSON (RFC 8785)');
  return {
    bytes: concatBytes(encodeUtf8(EVENT_SIGNING_CONTEXT), encodeUtf8(text)),
    publishedText: (sig) => `${text.slice(0, -tail.length)},"sig":${JSON.stringify(sig)}${tail}`,
  };
}

/** What a gateway signs: like UnsignedEnvelope, but `event` may be any object (e.g. a typed EPCIS event). */
export interface EnvelopeDraft {
  readonly v: 1;
  readonly device: string;
  readonly seq: number;
  readonly event: object;
}

/**
 * Signs an envelope with the device's 32-byte Ed25519 secret key (noble: runs in the gateway). The event is
 * copied as JSON data first, dropping `undefined` properties as JSON.stringify would, so the signature covers
 * exactly what is published. Throws TypeError on a bad device id or seq or a non-JSON event: the gateway built it.
 */
export function signEnvelope(draft: EnvelopeDraft, secretKey: Uint8Array): SignedEnvelope {
  const { v, device, seq } = draft;
  const event = toJsonValue(draft.event);
  if (event === undefined || !isJsonObject(event)) {
    throw new TypeError('cannot sign an envelope whose event is not a JSON object (RFC 8785)');
  }
  const placeholder = { v, device, seq, event, sig: 'A'.repeat(86) }; // 86 × 'A' = 64 zero bytes
  const checked = envelopeSchema.safeParse(placeholder);
  if (!checked.success) {
    throw new TypeError(`cannot sign an invalid envelope: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  }
  const sig = encodeBase64url(signEd25519(envelopeSigningBytes({ v, device, seq, event }), secretKey));
  return { v, device, seq, event, sig };
}

/**
 * Parses an envelope (attacker-controlled: the output of JSON.parse on an MQTT payload). Never throws.
 * This checks shape only; call verifyEnvelope (server) or verifyEnvelopeNoble (gateway, browser) next.
 */
export function parseEnvelope(json: unknown): Result<SignedEnvelope, 'ENVELOPE_INVALID'> {
  try {
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue === undefined ? '' : issue.path.map((p) => `/${String(p)}`).join('');
      return err('ENVELOPE_INVALID', issue?.message ?? 'invalid envelope', path === '' ? {} : { path });
    }
    return ok(parsed.data);
  } catch {
    return err('ENVELOPE_INVALID', 'envelope could not be read');
  }
}

/**
 * Strict Ed25519 verification of an envelope with noble (browser and gateway; the server uses the faster
 * node:crypto `verifyEnvelope` in verify-envelope.ts, which accepts exactly the same envelopes). Never throws.
 */
export function verifyEnvelopeNoble(
  envelope: SignedEnvelope,
  publicKey: Uint8Array,
): Result<true, 'SIGNATURE_INVALID' | 'KEY_INVALID'> {
  try {
    const signature = decodeBase64url(envelope.sig);
    if (signature === undefined || signature.length !== ED25519_SIGNATURE_SIZE) {
      return err('SIGNATURE_INVALID', 'sig is not unpadded base64url of 64 bytes');
    }
    const failure = checkEd25519(signature, envelopeSigningBytes(envelope), publicKey);
    if (failure === 'KEY_INVALID') return err('KEY_INVALID', 'device public key is not a strict Ed25519 key');
    if (failure === 'SIGNATURE_INVALID') return err('SIGNATURE_INVALID', 'envelope signature does not verify');
    return ok(true);
  } catch {
    return err('SIGNATURE_INVALID', 'envelope is not canonicalisable JSON (RFC 8785)');
  }
}
