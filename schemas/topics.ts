// MQTT topics and the receipt shape of DESIGN.md §4, used by the gateway and the ledger alike.
import { z } from 'zod';
import { REJECTION_CODES, RECEIPT_STATUSES } from './codes.js';

export const TOPIC_ROOT = 'pedigree/v1';

/** Device ids and GLNs go into topic levels, so they must not contain MQTT wildcards or separators. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const topics = {
  deviceEvents: (device: string): string => `${TOPIC_ROOT}/devices/${device}/events`,
  deviceReceipts: (device: string): string => `${TOPIC_ROOT}/devices/${device}/receipts`,
  /** Device → ledger, QoS 1: signed recall acknowledgements (schemas/signing/device-message.ts). */
  deviceRecallAcks: (device: string): string => `${TOPIC_ROOT}/devices/${device}/recall-acks`,
  siteAlerts: (gln: string): string => `${TOPIC_ROOT}/sites/${gln}/alerts`,
  recall: (recallId: string): string => `${TOPIC_ROOT}/recalls/${recallId}`,
  checkpoint: `${TOPIC_ROOT}/checkpoint`,
  /** What the ledger subscribes to. */
  allDeviceEvents: `${TOPIC_ROOT}/devices/+/events`,
  /** MQTT 5 shared subscription for several ledger processes (DESIGN.md §4, scale-out). */
  sharedDeviceEvents: `$share/pedigree/${TOPIC_ROOT}/devices/+/events`,
  allRecalls: `${TOPIC_ROOT}/recalls/+`,
  /** What the ledger subscribes to for recall acknowledgements (DESIGN.md §8). */
  allDeviceRecallAcks: `${TOPIC_ROOT}/devices/+/recall-acks`,
} as const;

/** QoS per topic (DESIGN.md §4): everything is QoS 1; recalls and the checkpoint are retained. */
export const TOPIC_QOS = 1 as const;

const EVENTS_TOPIC = /^pedigree\/v1\/devices\/([^/+#]+)\/events$/;

/** The device id named in an events topic, or undefined when the topic is not one. */
export function parseDeviceEventsTopic(topic: string): string | undefined {
  const m = EVENTS_TOPIC.exec(topic);
  return m?.[1];
}

const RECALL_ACKS_TOPIC = /^pedigree\/v1\/devices\/([^/+#]+)\/recall-acks$/;

/** The device id named in a recall-acks topic, or undefined when the topic is not one. */
export function parseDeviceRecallAcksTopic(topic: string): string | undefined {
  return RECALL_ACKS_TOPIC.exec(topic)?.[1];
}

export const receiptSchema = z
  .object({
    eventID: z.string().optional(),
    seq: z.number().int().nonnegative(),
    status: z.enum(RECEIPT_STATUSES),
    code: z.enum(REJECTION_CODES).optional(),
    index: z.number().int().nonnegative().optional(),
  })
  .strict();

/** `{eventID, seq, status, code?, index?}` on `pedigree/v1/devices/{device}/receipts`. */
export type Receipt = z.infer<typeof receiptSchema>;

/** Most receipts one `receipts` message carries (keeps a message well under broker and gateway payload limits). */
export const MAX_RECEIPTS_PER_MESSAGE = 1000;

/**
 * `{receipts: [Receipt, …]}`: the receipts of one committed batch for one device, in one signed message. One
 * signature and one MQTT publish per device per batch instead of one per event: at thousands of events/s the
 * per-receipt signature and publish were the ledger's largest main-thread cost (bench/RESULTS.md).
 */
export const receiptBatchSchema = z
  .object({ receipts: z.array(receiptSchema).min(1).max(MAX_RECEIPTS_PER_MESSAGE) })
  .strict();
export type ReceiptBatch = z.infer<typeof receiptBatchSchema>;
