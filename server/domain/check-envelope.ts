// Every check on an incoming device message that needs no log state (DESIGN.md §3): size, JSON, envelope, device,
// signature, EPCIS schema, event hash ID, location. The payload and topic are attacker-controlled.
import { createHash, type KeyObject } from 'node:crypto';
import type { RejectionCode } from '../../schemas/codes.js';
import { parseDeviceEventsTopic } from '../../schemas/topics.js';
import { parseEnvelope, type SignedEnvelope } from '../../schemas/signing/envelope.js';
import { verifyEnvelope } from '../../schemas/signing/verify-envelope.js';
import { validateEpcisEvent } from '../../schemas/epcis/validate.js';
import { computeEventPreHash, hashIdFromDigestHex } from '../../schemas/epcis/event-hash.js';
import type { CandidateEntry, DeviceDirectory, DeviceKey, DeviceRecord } from './ports.js';
import { namedIdentifiers } from './custody-facts.js';
import { eventTimeUtc, findUnstorableValue } from './find-unstorable-value.js';
import { ERROR_DECLARATION_SUFFIX, eventIdentifiers, eventLocation, identifierFactsOfOneEvent } from './event-identifiers.js';

export interface CheckedEnvelope {
  readonly ok: true;
  readonly device: DeviceRecord;
  readonly envelope: SignedEnvelope;
  readonly candidate: CandidateEntry;
}

export interface RefusedEnvelope {
  readonly ok: false;
  readonly code: RejectionCode;
  readonly detail: string;
  /** What could be learnt before refusing, so the gateway can still be told (a receipt needs device and seq). */
  readonly device: string | null;
  readonly seq: number | null;
  readonly eventId?: string;
  /** The device whose receipts topic is told (known once the envelope parsed: a receipt needs its seq). */
  readonly replyTo: string | null;
}

export type CheckEnvelopeResult = CheckedEnvelope | RefusedEnvelope;

export interface CheckEnvelopeOptions {
  readonly devices: DeviceDirectory;
  readonly maxPayloadBytes: number;
  /** Resolves a device key to a cached node:crypto KeyObject. */
  readonly keyObject: (key: DeviceKey) => KeyObject | Uint8Array;
  /** Read the identifiers as the custody rules want them too (candidate `named`); default true. */
  readonly readNamed?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The key valid for `seq`: the one with the greatest fromSeq <= seq (keys sorted by fromSeq). */
export function keyForSeq(keys: readonly DeviceKey[], seq: number): DeviceKey | undefined {
  let found: DeviceKey | undefined;
  for (const k of keys) if (k.fromSeq <= seq) found = k;
  return found;
}

/** Looks the topic's device up, then runs every check (the envelope must name the same device as its topic). */
export async function checkEnvelope(
  topic: string,
  payload: Uint8Array,
  options: CheckEnvelopeOptions,
): Promise<CheckEnvelopeResult> {
  const topicDevice = parseDeviceEventsTopic(topic);
  const device = topicDevice === undefined ? undefined : await options.devices.findDevice(topicDevice);
  return checkEnvelopeOf(topic, payload, device, options);
}

/**
 * The checks themselves, synchronous and pure given the topic device's record (undefined when not enrolled):
 * what a worker thread runs (server/adapters/check-pool.ts).
 */
export function checkEnvelopeOf(
  topic: string,
  payload: Uint8Array,
  device: DeviceRecord | undefined,
  options: Pick<CheckEnvelopeOptions, 'maxPayloadBytes' | 'keyObject' | 'readNamed'>,
): CheckEnvelopeResult {
  const topicDevice = parseDeviceEventsTopic(topic) ?? null;
  const refuse = (code: RejectionCode, detail: string, extra: Partial<RefusedEnvelope> = {}): RefusedEnvelope => ({
    ok: false,
    code,
    detail,
    device: topicDevice,
    seq: null,
    replyTo: null,
    ...extra,
  });
  if (topicDevice === null) return refuse('TOPIC_DEVICE_MISMATCH', `not a device events topic: ${topic.slice(0, 200)}`);
  if (payload.byteLength > options.maxPayloadBytes) {
    return refuse('PAYLOAD_TOO_LARGE', `payload is ${payload.byteLength} bytes; the limit is ${options.maxPayloadBytes}`);
  }
  let json: unknown;
  let text: string;
  try {
    text = utf8.decode(payload);
    json = JSON.parse(text);
  } catch (e) {
    return refuse('INVALID_JSON', `payload is not UTF-8 JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  const parsed = parseEnvelope(json);
  if (!parsed.ok) return refuse('ENVELOPE_INVALID', parsed.message);
  const envelope = parsed.value;
  // ACL lets only the topic's own device publish here, so it may be told why it was refused.
  const ids = { device: envelope.device, seq: envelope.seq, replyTo: topicDevice };
  if (envelope.device !== topicDevice) {
    return refuse('TOPIC_DEVICE_MISMATCH', `envelope device ${envelope.device} published on the topic of ${topicDevice}`, {
      seq: envelope.seq,
      replyTo: topicDevice,
    });
  }
  // No receipt for a device the ledger never enrolled: on a shared broker it may be another ledger's device.
  if (!device) return refuse('UNKNOWN_DEVICE', `device ${envelope.device} is not enrolled`, { ...ids, replyTo: null });
  if (device.status !== 'active') return refuse('DEVICE_REVOKED', `device ${envelope.device} is revoked`, ids);
  const key = keyForSeq(device.keys, envelope.seq);
  if (!key) return refuse('SIGNATURE_INVALID', `device ${envelope.device} has no key valid for seq ${envelope.seq}`, ids);
  const verified = verifyEnvelope(envelope, options.keyObject(key));
  if (!verified.ok) return refuse('SIGNATURE_INVALID', verified.message, ids);
  const valid = validateEpcisEvent(envelope.event);
  if (!valid.ok) {
    const reasons = valid.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ');
    return refuse('EPCIS_INVALID', reasons.slice(0, 1000), ids);
  }
  const event = envelope.event as Record<string, unknown>;
  // Only a `\u` escape can put U+0000 or a lone surrogate into parsed JSON: the walk over the strings runs only then.
  const eventTime = eventTimeUtc(event);
  const unstorable = findUnstorableValue(event, text.includes('\\u'), eventTime);
  if (unstorable !== undefined) {
    return refuse('EPCIS_INVALID', `${unstorable.pointer.slice(0, 200)} ${unstorable.reason}; correct it and send the event again`, ids);
  }
  const preHash = computeEventPreHash(event);
  if (!preHash.ok) return refuse('EPCIS_INVALID', preHash.message, ids);
  // hashIdFromPreHash with node:crypto's SHA-256 (several times noble's on the ingest hot path; same bytes).
  const eventId = hashIdFromDigestHex(createHash('sha256').update(preHash.value, 'utf8').digest('hex'));
  if (event.eventID !== undefined && event.eventID !== eventId) {
    return refuse('EVENT_ID_MISMATCH', `eventID ${String(event.eventID).slice(0, 120)} differs from its content hash ${eventId}`, {
      ...ids,
      eventId,
    });
  }
  const factsOf = identifierFactsOfOneEvent();
  const location = eventLocation(event);
  if (location !== device.location) {
    return refuse(
      'DEVICE_WRONG_LOCATION',
      `device ${device.device} is enrolled at ${device.location} but the event is at ${location ?? 'no location'}`,
      { ...ids, eventId },
    );
  }
  return {
    ok: true,
    device,
    envelope,
    candidate: {
      kind: 'device',
      bytes: payload,
      device: device.device,
      seq: envelope.seq,
      eventId: event.errorDeclaration !== undefined ? `${eventId}${ERROR_DECLARATION_SUFFIX}` : eventId,
      eventTime: eventTime ?? null,
      event,
      // Each identifier string is parsed once for both readers (it was three times a unit per event with the rules).
      identifiers: eventIdentifiers(event, factsOf),
      ...(options.readNamed !== false ? { named: namedIdentifiers(event, factsOf) } : {}),
      party: device.party,
    },
  };
}
