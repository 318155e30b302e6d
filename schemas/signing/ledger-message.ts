// Signed messages the ledger publishes over MQTT (receipts, alerts, recall notices, checkpoints; DESIGN.md §4).
//
// Contract (gateways and browsers verify with the ledger's Ed25519 public key, from GET /v1/verifier-key or
// configuration, and drop anything that does not verify, even on a misconfigured broker):
//
//   message      = { "v": 1, "kind": <kind>, "topic"?: <MQTT topic it is published on>, "body": {...}, "sig": <sig> }
//   kind         = "receipt" | "receipts" | "alert" | "recall" | "checkpoint"
//   signed bytes = UTF-8("pedigree/ledger/v1\n") ‖ RFC 8785 JCS({ v, kind, topic?, body })
//   sig          = unpadded base64url of the 64-byte Ed25519 signature over the signed bytes
//
// `topic`, when present, is signed so that a message cannot be moved to another topic: without it a receipt for
// device A's seq 7 (`{eventID, seq, status}` names no device) could be replayed on device B's receipts topic and
// make B drop its own seq 7 from its outbox. Publishers SHOULD set it; a receiver that passes the topic it read
// the message from to verifyLedgerMessage refuses messages signed for another topic or for none.
// Body per kind: receipt = the receipt of DESIGN.md §4 (receiptSchema in schemas/topics.ts); receipts =
// {receipts: [receipt, …]}, 1–1000 receipts of one device in one message (receiptBatchSchema; the ledger sends one
// per device per committed batch, and receivers accept both kinds on the receipts topic — receiptsOf below);
// checkpoint = { note: <signed checkpoint note text> }; alert and recall = any JSON object (their owners
// define the fields).
import { z } from 'zod';
import { err, ok, type Result } from '../result.js';
import { receiptBatchSchema, receiptSchema, type Receipt } from '../topics.js';
import { domainSeparatedBytes, isJsonObject, toJsonValue, type JsonObject } from './canonical-bytes.js';
import { checkEd25519, ED25519_SIGNATURE_SIZE, signEd25519 } from './ed25519.js';
import { decodeBase64url, encodeBase64url } from './encoding.js';

/** Domain-separation prefix of ledger message signatures (never the same as the envelopes' `pedigree/event/v1\n`). */
export const LEDGER_SIGNING_CONTEXT = 'pedigree/ledger/v1\n';
export const LEDGER_MESSAGE_VERSION = 1 as const;
export const LEDGER_MESSAGE_KINDS = ['receipt', 'receipts', 'alert', 'recall', 'checkpoint'] as const;
export type LedgerMessageKind = (typeof LEDGER_MESSAGE_KINDS)[number];

/** A ledger message as published. */
export interface LedgerMessage<K extends LedgerMessageKind = LedgerMessageKind> {
  readonly v: 1;
  readonly kind: K;
  readonly topic?: string;
  readonly body: JsonObject;
  readonly sig: string;
}

/** MQTT topic names: non-empty, no wildcards, no NUL (MQTT 5 §4.7.3), bounded. */
function isTopicName(topic: string): boolean {
  return topic.length > 0 && topic.length <= 1024 && !/[+#\u0000]/.test(topic);
}

function isSignatureText(text: string): boolean {
  return decodeBase64url(text)?.length === ED25519_SIGNATURE_SIZE;
}

const checkpointBodySchema = z.object({ note: z.string() }).strict();

/** Whether `body` has the shape its kind requires (see the contract above). */
function bodyFits(kind: LedgerMessageKind, body: JsonObject): boolean {
  if (kind === 'receipt') return receiptSchema.safeParse(body).success;
  if (kind === 'receipts') return receiptBatchSchema.safeParse(body).success;
  if (kind === 'checkpoint') return checkpointBodySchema.safeParse(body).success;
  return true;
}

/** zod schema of a ledger message: strict, so any field the signature would not cover is refused. */
export const ledgerMessageSchema = z
  .object({
    v: z.literal(LEDGER_MESSAGE_VERSION),
    kind: z.enum(LEDGER_MESSAGE_KINDS),
    topic: z.string().refine(isTopicName, 'topic must be an MQTT topic name without wildcards').optional(),
    // Kept by reference (z.custom does not copy), so the bytes verified are the bytes received.
    body: z.custom<JsonObject>(isJsonObject, 'body must be a JSON object'),
    sig: z.string().refine(isSignatureText, 'sig must be unpadded base64url of 64 bytes'),
  })
  .strict()
  .refine((m) => bodyFits(m.kind, m.body), { message: 'body does not fit its kind', path: ['body'] });

/** The receipts a parsed `receipt` or `receipts` message carries (its body was checked by ledgerMessageSchema); [] for other kinds. */
export function receiptsOf(message: LedgerMessage): readonly Receipt[] {
  if (message.kind === 'receipt') return [message.body as unknown as Receipt];
  if (message.kind === 'receipts') return (message.body as unknown as { receipts: Receipt[] }).receipts;
  return [];
}

/** `UTF-8("pedigree/ledger/v1\n") ‖ JCS({v, kind, topic?, body})`. Throws TypeError when body is not JSON. */
export function ledgerMessageSigningBytes(message: Omit<LedgerMessage, 'sig'>): Uint8Array {
  const { v, kind, topic, body } = message;
  // Keys in canonical order: a body built in that order is serialised natively (canonicalJson).
  const signed = topic === undefined ? { body, kind, v } : { body, kind, topic, v };
  const bytes = domainSeparatedBytes(LEDGER_SIGNING_CONTEXT, signed);
  if (bytes === undefined) throw new TypeError('ledger message body is not canonicalisable JSON (RFC 8785)');
  return bytes;
}

export interface SignLedgerMessageOptions {
  /** The MQTT topic the message will be published on (signed; see the contract). Strongly recommended. */
  readonly topic?: string;
}

/**
 * Signs a message with the ledger's 32-byte Ed25519 secret key. `body` is copied as JSON data first (dropping
 * `undefined` properties, as JSON.stringify would). Throws TypeError when the body is not a JSON object that
 * fits its kind or the topic is not a topic name: the ledger built them.
 */
export function signLedgerMessage<K extends LedgerMessageKind>(
  kind: K,
  body: unknown,
  secretKey: Uint8Array,
  options: SignLedgerMessageOptions = {},
): LedgerMessage<K> {
  const json = toJsonValue(body);
  if (json === undefined || !isJsonObject(json)) throw new TypeError('ledger message body must be a JSON object');
  const { topic } = options;
  const v = LEDGER_MESSAGE_VERSION;
  const unsigned: Omit<LedgerMessage<K>, 'sig'> =
    topic === undefined ? { v, kind, body: json } : { v, kind, topic, body: json };
  const checked = ledgerMessageSchema.safeParse({ ...unsigned, sig: 'A'.repeat(86) });
  if (!checked.success) {
    throw new TypeError(`cannot sign an invalid ledger message: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  }
  const sig = encodeBase64url(signEd25519(ledgerMessageSigningBytes(unsigned), secretKey));
  return { ...unsigned, sig };
}

/** Parses a ledger message (attacker-controlled: JSON.parse of an MQTT payload). Never throws; verify next. */
export function parseLedgerMessage(json: unknown): Result<LedgerMessage, 'LEDGER_MESSAGE_INVALID'> {
  try {
    const parsed = ledgerMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue === undefined ? '' : issue.path.map((p) => `/${String(p)}`).join('');
      return err('LEDGER_MESSAGE_INVALID', issue?.message ?? 'invalid ledger message', path === '' ? {} : { path });
    }
    return ok(parsed.data);
  } catch {
    return err('LEDGER_MESSAGE_INVALID', 'ledger message could not be read');
  }
}

export interface VerifyLedgerMessageOptions {
  /** The topic the message arrived on; a message signed for another topic, or for none, is refused. */
  readonly topic?: string;
}

/**
 * Strict Ed25519 verification of a ledger message with noble (gateway, browser). Pass `topic` whenever the
 * message came from MQTT. Never throws.
 */
export function verifyLedgerMessage(
  message: LedgerMessage,
  publicKey: Uint8Array,
  options: VerifyLedgerMessageOptions = {},
): Result<true, 'SIGNATURE_INVALID' | 'KEY_INVALID'> {
  try {
    if (options.topic !== undefined && message.topic !== options.topic) {
      return err('SIGNATURE_INVALID', `message was signed for topic ${JSON.stringify(message.topic ?? null)}`);
    }
    const signature = decodeBase64url(message.sig);
    if (signature === undefined || signature.length !== ED25519_SIGNATURE_SIZE) {
      return err('SIGNATURE_INVALID', 'sig is not unpadded base64url of 64 bytes');
    }
    const failure = checkEd25519(signature, ledgerMessageSigningBytes(message), publicKey);
    if (failure === 'KEY_INVALID') return err('KEY_INVALID', 'ledger public key is not a strict Ed25519 key');
    if (failure === 'SIGNATURE_INVALID') return err('SIGNATURE_INVALID', 'ledger message signature does not verify');
    return ok(true);
  } catch {
    return err('SIGNATURE_INVALID', 'ledger message is not canonicalisable JSON (RFC 8785)');
  }
}
