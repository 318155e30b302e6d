// Signed messages a device (gateway) sends the ledger over MQTT other than custody envelopes: today the acknowledgement
// of a recall notice (DESIGN.md §8: "sites acknowledge … or a gateway message").
//
// Contract (the ledger verifies with the device's current key from its registry and drops anything that does not):
//
//   topic        = pedigree/v1/devices/{device}/recall-acks            (schemas/topics.ts deviceRecallAcks)
//   message      = { "v": 1, "kind": "recall-ack", "topic": <the topic it is published on>, "body": {...}, "sig": <sig> }
//   signed bytes = UTF-8("pedigree/device/v1\n") ‖ RFC 8785 JCS({ v, kind, topic, body })
//   sig          = unpadded base64url of the 64-byte Ed25519 signature with the device's key
//   body         = recall-ack: { "recallId": "rcl-<16 hex>", "ackedAt": <RFC 3339 UTC time> }
//
// The context string differs from envelopes (`pedigree/event/v1\n`), ledger messages (`pedigree/ledger/v1\n`) and
// capture entries, so no signature of one kind verifies as another. `topic` is signed and required: it names the
// device, so an acknowledgement captured on device A's topic cannot be replayed as device B's.
import { z } from 'zod';
import { err, ok, type Result } from '../result.js';
import { domainSeparatedBytes, isJsonObject, toJsonValue, type JsonObject } from './canonical-bytes.js';
import { checkEd25519, ED25519_SIGNATURE_SIZE, signEd25519 } from './ed25519.js';
import { decodeBase64url, encodeBase64url } from './encoding.js';

/** Domain-separation prefix of device message signatures. */
export const DEVICE_SIGNING_CONTEXT = 'pedigree/device/v1\n';
export const DEVICE_MESSAGE_VERSION = 1 as const;
export const DEVICE_MESSAGE_KINDS = ['recall-ack'] as const;
export type DeviceMessageKind = (typeof DEVICE_MESSAGE_KINDS)[number];

/** Recall ids as the ledger generates them (server/domain/issue-recall.ts). */
export const RECALL_ID_PATTERN = /^rcl-[0-9a-f]{16}$/;

export const recallAckBodySchema = z
  .object({
    recallId: z.string().regex(RECALL_ID_PATTERN, 'recallId must be a recall id (rcl-<16 hex>)'),
    ackedAt: z.string().max(40).refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(s) && !Number.isNaN(Date.parse(s)), 'ackedAt must be an RFC 3339 UTC time'),
  })
  .strict();
export type RecallAckBody = z.infer<typeof recallAckBodySchema>;

export interface DeviceMessage<K extends DeviceMessageKind = DeviceMessageKind> {
  readonly v: 1;
  readonly kind: K;
  readonly topic: string;
  readonly body: JsonObject;
  readonly sig: string;
}

function isTopicName(topic: string): boolean {
  return topic.length > 0 && topic.length <= 1024 && !/[+#\u0000]/.test(topic);
}

/** zod schema of a device message: strict, so a field the signature would not cover is refused. */
export const deviceMessageSchema = z
  .object({
    v: z.literal(DEVICE_MESSAGE_VERSION),
    kind: z.enum(DEVICE_MESSAGE_KINDS),
    topic: z.string().refine(isTopicName, 'topic must be an MQTT topic name without wildcards'),
    // Kept by reference, so the bytes verified are the bytes received.
    body: z.custom<JsonObject>(isJsonObject, 'body must be a JSON object'),
    sig: z.string().refine((s) => decodeBase64url(s)?.length === ED25519_SIGNATURE_SIZE, 'sig must be unpadded base64url of 64 bytes'),
  })
  .strict()
  .refine((m) => m.kind !== 'recall-ack' || recallAckBodySchema.safeParse(m.body).success, { message: 'body does not fit its kind', path: ['body'] });

/** `UTF-8("pedigree/device/v1\n") ‖ JCS({v, kind, topic, body})`. Throws TypeError when body is not JSON. */
export function deviceMessageSigningBytes(message: Omit<DeviceMessage, 'sig'>): Uint8Array {
  const { v, kind, topic, body } = message;
  const bytes = domainSeparatedBytes(DEVICE_SIGNING_CONTEXT, { v, kind, topic, body });
  if (bytes === undefined) throw new TypeError('device message body is not canonicalisable JSON (RFC 8785)');
  return bytes;
}

/** Signs a message with the device's 32-byte Ed25519 secret key, for the topic it will be published on. */
export function signDeviceMessage<K extends DeviceMessageKind>(kind: K, body: unknown, secretKey: Uint8Array, topic: string): DeviceMessage<K> {
  const json = toJsonValue(body);
  if (json === undefined || !isJsonObject(json)) throw new TypeError('device message body must be a JSON object');
  const unsigned = { v: DEVICE_MESSAGE_VERSION, kind, topic, body: json };
  const checked = deviceMessageSchema.safeParse({ ...unsigned, sig: 'A'.repeat(86) });
  if (!checked.success) throw new TypeError(`cannot sign an invalid device message: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return { ...unsigned, sig: encodeBase64url(signEd25519(deviceMessageSigningBytes(unsigned), secretKey)) };
}

/** Parses a device message (attacker-controlled: JSON.parse of an MQTT payload). Never throws; verify next. */
export function parseDeviceMessage(json: unknown): Result<DeviceMessage, 'DEVICE_MESSAGE_INVALID'> {
  try {
    const parsed = deviceMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue === undefined ? '' : issue.path.map((p) => `/${String(p)}`).join('');
      return err('DEVICE_MESSAGE_INVALID', issue?.message ?? 'invalid device message', path === '' ? {} : { path });
    }
    return ok(parsed.data);
  } catch {
    return err('DEVICE_MESSAGE_INVALID', 'device message could not be read');
  }
}

/**
 * Strict Ed25519 verification with noble, for the topic the message arrived on (a message signed for another topic
 * is refused). The server verifies the same bytes with node:crypto (server/domain/acknowledge-recall-message.ts).
 */
export function verifyDeviceMessage(message: DeviceMessage, publicKey: Uint8Array, topic: string): Result<true, 'SIGNATURE_INVALID' | 'KEY_INVALID'> {
  try {
    if (message.topic !== topic) return err('SIGNATURE_INVALID', `message was signed for topic ${JSON.stringify(message.topic)}`);
    const signature = decodeBase64url(message.sig);
    if (signature === undefined || signature.length !== ED25519_SIGNATURE_SIZE) return err('SIGNATURE_INVALID', 'sig is not unpadded base64url of 64 bytes');
    const failure = checkEd25519(signature, deviceMessageSigningBytes(message), publicKey);
    if (failure === 'KEY_INVALID') return err('KEY_INVALID', 'device public key is not a strict Ed25519 key');
    if (failure === 'SIGNATURE_INVALID') return err('SIGNATURE_INVALID', 'device message signature does not verify');
    return ok(true);
  } catch {
    return err('SIGNATURE_INVALID', 'device message is not canonicalisable JSON (RFC 8785)');
  }
}
