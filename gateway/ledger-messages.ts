// What the ledger tells a gateway over MQTT (DESIGN.md §4): receipts, recall notices, site alerts, checkpoints,
// each checked against the ledger's key before the gateway acts on it.
//
// Payloads and topics are attacker-controlled (a misconfigured broker, another client): a message is used only
// if its ledger signature verifies for the topic it arrived on (schemas/signing ledger-message.ts), or, for the
// checkpoint, if the C2SP note is signed by the ledger's key (checkpoint.ts). Anything else is `forged`.
import { z } from 'zod';
import { parseDigitalLink } from '../schemas/gs1/digital-link.js';
import { err, ok, type Result } from '../schemas/result.js';
import { openCheckpoint } from '../schemas/signing/checkpoint.js';
import { parseLedgerMessage, receiptsOf, type LedgerMessage, type LedgerMessageKind } from '../schemas/signing/ledger-message.js';
import { noteVerifierFromVkey, parseVkey, type NoteVerifier } from '../schemas/signing/signed-note.js';
import { TOPIC_ROOT, topics, type Receipt } from '../schemas/topics.js';
import { createLedgerMessageVerifier, type LedgerMessageVerifier } from './verify-ledger-message.js';

/** The ledger's identity as a gateway knows it: from its C2SP vkey (GET /v1/verifier-key). */
export interface LedgerTrust {
  /** Log origin, e.g. `pedigree.local/ledger` (the vkey name). */
  readonly origin: string;
  readonly publicKey: Uint8Array;
  readonly noteVerifier: NoteVerifier;
  /** Verifies a ledger message for the topic it arrived on (node:crypto; same rule as verifyLedgerMessage). */
  readonly verifyMessage: LedgerMessageVerifier;
}

export function ledgerTrustFromVkey(vkey: string): Result<LedgerTrust, 'KEY_INVALID'> {
  const parsed = parseVkey(vkey.trim());
  if (!parsed.ok) return parsed;
  const verifier = noteVerifierFromVkey(vkey.trim());
  if (!verifier.ok) return verifier;
  return ok({
    origin: parsed.value.name,
    publicKey: parsed.value.publicKey,
    noteVerifier: verifier.value,
    verifyMessage: createLedgerMessageVerifier(parsed.value.publicKey),
  });
}

/**
 * A recall notice (DESIGN.md §8; issue 6 defines the publisher). Unknown fields are kept and ignored, so the
 * notice can grow without breaking gateways.
 */
export const recallNoticeSchema = z
  .object({
    id: z.string().min(1),
    scope: z
      .object({
        gtin: z.string().regex(/^\d{14}$/),
        lots: z.array(z.string()).optional(),
        serials: z.array(z.string()).optional(),
      })
      .passthrough(),
    class: z.string().optional(),
    reason: z.string().optional(),
    instructions: z.string().optional(),
    issuedAt: z.string().optional(),
    /** `open`; `closed` once every unit is accounted for (units stay recalled); a signed withdrawal: `withdrawn`. */
    status: z.string().optional(),
    withdrawn: z.boolean().optional(),
  })
  .passthrough();
export type RecallNotice = z.infer<typeof recallNoticeSchema>;

const unitRefSchema = z.union([z.string(), z.object({ gtin: z.string(), serial: z.string() }).passthrough()]);

/** A site alert (DESIGN.md §6; issue 4 defines the publisher): the units it names are suspect until resolved. */
export const siteAlertSchema = z
  .object({
    id: z.union([z.string(), z.number()]),
    code: z.string(),
    severity: z.string().optional(),
    unit: unitRefSchema.optional(),
    units: z.array(unitRefSchema).optional(),
    site: z.string().optional(),
    status: z.string().optional(),
    resolved: z.boolean().optional(),
  })
  .passthrough();
export type SiteAlert = z.infer<typeof siteAlertSchema>;

export type LedgerInbound =
  /** A `receipt` or `receipts` message: the ledger's answers for one or more of this device's events. */
  | { readonly kind: 'receipts'; readonly receipts: readonly Receipt[] }
  | { readonly kind: 'recall'; readonly recallId: string; readonly notice: RecallNotice }
  /** An empty retained payload on a recall topic. Unsigned by nature, so it proves nothing (see recall-register.ts). */
  | { readonly kind: 'recall-cleared'; readonly recallId: string }
  | { readonly kind: 'alert'; readonly alert: SiteAlert }
  | { readonly kind: 'checkpoint'; readonly size: number; readonly rootHash: Uint8Array; readonly note: string };

export type LedgerInboundError = 'FORGED' | 'MALFORMED' | 'UNEXPECTED_TOPIC';

export interface ReadLedgerMessageOptions {
  readonly trust: LedgerTrust;
  readonly device: string;
  readonly siteGln: string;
}

const RECALL_TOPIC = new RegExp(`^${TOPIC_ROOT}/recalls/([^/+#]+)$`);
const MAX_PAYLOAD = 1024 * 1024;

/** The gateway-side canonical key of a unit named in an alert (`01/{gtin}/21/{serial}`), or undefined. */
export function unitKeyOf(ref: z.infer<typeof unitRefSchema>): string | undefined {
  if (typeof ref === 'string') {
    const parsed = parseDigitalLink(ref);
    if (!parsed.ok || parsed.value.gtin === undefined || parsed.value.serial === undefined) return undefined;
    return `01/${parsed.value.gtin}/21/${parsed.value.serial}`;
  }
  return /^\d{14}$/.test(ref.gtin) ? `01/${ref.gtin}/21/${ref.serial}` : undefined;
}

function signedMessage(
  topic: string,
  payload: Uint8Array,
  kinds: readonly LedgerMessageKind[],
  trust: LedgerTrust,
): Result<LedgerMessage, LedgerInboundError> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return err('MALFORMED', 'payload is not JSON');
  }
  const message = parseLedgerMessage(json);
  if (!message.ok) return err('MALFORMED', message.message);
  if (!kinds.includes(message.value.kind)) return err('FORGED', `a ${message.value.kind} message on a ${kinds[0]} topic`);
  const verified = trust.verifyMessage(message.value, topic);
  if (!verified.ok) return err('FORGED', verified.message);
  return ok(message.value);
}

function signedBody(topic: string, payload: Uint8Array, kind: 'recall' | 'alert', trust: LedgerTrust): Result<unknown, LedgerInboundError> {
  const message = signedMessage(topic, payload, [kind], trust);
  return message.ok ? ok(message.value.body) : message;
}

export function readLedgerMessage(
  topic: string,
  payload: Uint8Array,
  options: ReadLedgerMessageOptions,
): Result<LedgerInbound, LedgerInboundError> {
  if (payload.byteLength > MAX_PAYLOAD) return err('MALFORMED', 'payload too large');
  const { trust } = options;
  if (topic === topics.deviceReceipts(options.device)) {
    const message = signedMessage(topic, payload, ['receipts', 'receipt'], trust);
    if (!message.ok) return message;
    // parseLedgerMessage has checked the body against receiptSchema / receiptBatchSchema already.
    return ok({ kind: 'receipts', receipts: receiptsOf(message.value) });
  }
  const recall = RECALL_TOPIC.exec(topic);
  if (recall) {
    const recallId = recall[1] as string;
    if (payload.byteLength === 0) return ok({ kind: 'recall-cleared', recallId });
    const body = signedBody(topic, payload, 'recall', trust);
    if (!body.ok) return body;
    const notice = recallNoticeSchema.safeParse(body.value);
    if (!notice.success) return err('MALFORMED', `recall notice: ${notice.error.issues[0]?.message ?? 'invalid'}`);
    if (notice.data.id !== recallId) return err('MALFORMED', `recall notice ${notice.data.id} published on the topic of ${recallId}`);
    return ok({ kind: 'recall', recallId, notice: notice.data });
  }
  if (topic === topics.siteAlerts(options.siteGln)) {
    const body = signedBody(topic, payload, 'alert', trust);
    if (!body.ok) return body;
    const alert = siteAlertSchema.safeParse(body.value);
    if (!alert.success) return err('MALFORMED', `alert: ${alert.error.issues[0]?.message ?? 'invalid'}`);
    return ok({ kind: 'alert', alert: alert.data });
  }
  if (topic === topics.checkpoint) {
    const opened = openCheckpoint(Buffer.from(payload).toString('utf8'), { origin: trust.origin, logVerifier: trust.noteVerifier });
    if (!opened.ok) return err('FORGED', opened.message);
    return ok({ kind: 'checkpoint', size: opened.value.checkpoint.size, rootHash: opened.value.checkpoint.rootHash, note: opened.value.text });
  }
  return err('UNEXPECTED_TOPIC', `not a topic this gateway reads: ${topic.slice(0, 200)}`);
}
