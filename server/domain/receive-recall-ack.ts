// A gateway's signed recall acknowledgement from MQTT (DESIGN.md §8; schemas/signing/device-message.ts): checked
// against the device registry (known, not revoked, signed with its current key, for its own topic) and recorded for the
// party owning the device's location through acknowledgeRecall, as the HTTP route records a token's. Topic and
// payload are attacker-controlled: every failure is a typed refusal the caller logs and counts; nothing is answered.
import type { KeyObject } from 'node:crypto';
import type { RecallAckRefusalCode } from '../../schemas/codes.js';
import { deviceMessageSigningBytes, parseDeviceMessage, type RecallAckBody } from '../../schemas/signing/device-message.js';
import { decodeBase64url } from '../../schemas/signing/encoding.js';
import { verifyEd25519Node } from '../../schemas/signing/verify-envelope.js';
import { parseDeviceRecallAcksTopic } from '../../schemas/topics.js';
import { acknowledgeRecall } from './acknowledge-recall.js';
import { PedigreeError } from './pedigree-error.js';
import type { Clock, DeviceDirectory, DeviceKey, RecallSiteRecord, RecallStore } from './ports.js';

export interface ReceiveRecallAckOptions {
  readonly devices: DeviceDirectory;
  readonly recalls: Pick<RecallStore, 'findRecall' | 'acknowledge'>;
  readonly clock: Clock;
  /** Resolves a device key to a cached node:crypto KeyObject. */
  readonly keyObject?: (key: DeviceKey) => KeyObject | Uint8Array;
  /** An acknowledgement is ~300 bytes; anything much larger is refused unread. */
  readonly maxPayloadBytes?: number;
}

export type RecallAckOutcome =
  | { readonly ok: true; readonly device: string; readonly recallId: string; readonly site: RecallSiteRecord }
  | { readonly ok: false; readonly code: RecallAckRefusalCode; readonly detail: string; readonly device: string | null };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function receiveRecallAck(o: ReceiveRecallAckOptions, topic: string, payload: Uint8Array): Promise<RecallAckOutcome> {
  const topicDevice = parseDeviceRecallAcksTopic(topic) ?? null;
  const refuse = (code: RecallAckRefusalCode, detail: string): RecallAckOutcome => ({ ok: false, code, detail, device: topicDevice });
  if (topicDevice === null) return refuse('TOPIC_DEVICE_MISMATCH', `not a recall-acks topic: ${topic.slice(0, 200)}`);
  if (payload.byteLength > (o.maxPayloadBytes ?? 4096)) return refuse('PAYLOAD_TOO_LARGE', `${payload.byteLength} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(payload));
  } catch {
    return refuse('INVALID_JSON', 'payload is not UTF-8 JSON');
  }
  const parsed = parseDeviceMessage(json);
  if (!parsed.ok) return refuse('DEVICE_MESSAGE_INVALID', `${parsed.path ?? ''} ${parsed.message}`.trim());
  const message = parsed.value;
  // Signed for another topic (another device's, or none of ours): a replay, refused before any lookup.
  if (message.topic !== topic) return refuse('TOPIC_DEVICE_MISMATCH', `signed for ${message.topic.slice(0, 200)}`);
  const device = await o.devices.findDevice(topicDevice);
  if (!device) return refuse('UNKNOWN_DEVICE', `device ${topicDevice} is not enrolled`);
  if (device.status !== 'active') return refuse('DEVICE_REVOKED', `device ${topicDevice} is revoked`);
  // The current key: the one with the greatest fromSeq (an acknowledgement carries no seq).
  const key = device.keys.reduce<DeviceKey | undefined>((best, k) => (best === undefined || k.fromSeq >= best.fromSeq ? k : best), undefined);
  const signature = decodeBase64url(message.sig);
  const verified = key && signature ? verifyEd25519Node(signature, deviceMessageSigningBytes(message), o.keyObject ? o.keyObject(key) : key.publicKey) : undefined;
  if (!verified?.ok) return refuse('SIGNATURE_INVALID', `recall acknowledgement of ${topicDevice} does not verify with its current key`);
  const body = message.body as unknown as RecallAckBody;
  try {
    const site = await acknowledgeRecall(o, { device: device.device, party: device.party }, body.recallId, null);
    return { ok: true, device: device.device, recallId: body.recallId, site };
  } catch (e) {
    if (e instanceof PedigreeError && e.code === 'RECALL_NOT_FOUND') return refuse('RECALL_NOT_FOUND', `no recall ${body.recallId}`);
    throw e;
  }
}
