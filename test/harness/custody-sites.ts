// Supply-chain sites for custody tests: each is a party with a location, an enrolled gateway on MQTT that signs
// envelopes, a party token, and a subscription to its site alerts topic whose ledger signatures are checked.
import { expect } from 'vitest';
import { computeCheckDigit } from '../../schemas/gs1/check-digit.js';
import { buildPackingEvent, buildUnpackingEvent } from '../../schemas/epcis/build-aggregation-events.js';
import {
  buildCommissioningEvent,
  buildDispensingEvent,
  buildDestroyingEvent,
  buildReceivingEvent,
  buildShippingEvent,
  buildVoidShippingEvent,
} from '../../schemas/epcis/build-object-events.js';
import type { BuildResult } from '../../schemas/epcis/build-common.js';
import { computeEventHashId } from '../../schemas/epcis/event-hash.js';
import { PEDIGREE_CONTEXT } from '../../schemas/epcis/json-ld-context.js';
import { parseLedgerMessage, verifyLedgerMessage } from '../../schemas/signing/ledger-message.js';
import { topics } from '../../schemas/topics.js';
import { connectTestDevice, type TestDeviceClient } from './device-client.js';
import { enrollTestDevice, type EnrolledTestDevice, type LedgerHarness } from './ledger-harness.js';

export const GTIN = '09506000134352';

/** A GLN (13 digits) with its check digit, from a 12-digit stem. */
export function gln(stem: string): string {
  return stem + computeCheckDigit(stem);
}

/** An SSCC (18 digits) with its check digit: extension 0, GS1 company prefix 9521234, serial reference `n`. */
export function sscc(n: number): string {
  const stem = `09521234${String(n).padStart(9, '0')}`;
  return stem + computeCheckDigit(stem);
}

export function unit(serial: string, gtin = GTIN): string {
  return `https://id.gs1.org/01/${gtin}/21/${encodeURIComponent(serial)}`;
}

export interface AlertMessage {
  readonly topic: string;
  readonly body: Record<string, any>;
}

export interface Site {
  readonly name: string;
  readonly gln: string;
  readonly ext: string;
  readonly device: EnrolledTestDevice;
  readonly client: TestDeviceClient;
  readonly token: string;
  /** Alerts received on pedigree/v1/sites/{gln}/alerts whose ledger signature verified. */
  readonly alerts: AlertMessage[];
  /** Messages on that topic that did not verify (must stay empty). */
  readonly forged: unknown[];
  seq: number;
}

export async function openSite(
  h: LedgerHarness,
  spec: { name: string; gln: string; role: 'manufacturer' | 'distributor' | 'pharmacy'; suffix: string },
): Promise<Site> {
  const ext = spec.name;
  const device = await enrollTestDevice(h, { device: `gw-${spec.name}-${spec.suffix}`, gln: spec.gln, ext, role: spec.role, name: spec.name });
  const client = await connectTestDevice(h.ledger.mqttUrl, device, h.ledger.signer.publicKey);
  const topic = topics.siteAlerts(spec.gln);
  const alerts: AlertMessage[] = [];
  const forged: unknown[] = [];
  client.client.on('message', (t, payload) => {
    if (t !== topic) return;
    try {
      const parsed = parseLedgerMessage(JSON.parse(payload.toString('utf8')));
      if (parsed.ok && parsed.value.kind === 'alert' && verifyLedgerMessage(parsed.value, h.ledger.signer.publicKey, { topic: t }).ok) {
        alerts.push({ topic: t, body: parsed.value.body as Record<string, any> });
      } else forged.push(payload.toString());
    } catch {
      forged.push(payload.toString());
    }
  });
  await client.client.subscribeAsync(topic, { qos: 1 });
  const token = await h.api('POST', '/v1/tokens', { party: spec.gln, role: spec.role });
  if (token.status !== 201) throw new Error(`token: ${token.text}`);
  return { name: spec.name, gln: spec.gln, ext, device, client, token: token.body.token, alerts, forged, seq: 0 };
}

function built<T>(r: BuildResult<T>): T {
  if (!r.ok) throw new Error(`builder: ${r.code} ${r.message} ${r.path ?? ''}`);
  return r.value;
}

/** Minutes after a fixed start: event times in tests are explicit, so order by eventTime is under test control. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2026, 9, 1, 8, 0, 0) + minutes * 60_000).toISOString();
}

const where = (s: Site, time: string, bizLocation = true) => ({
  eventTime: time,
  eventTimeZoneOffset: '+00:00',
  readPoint: { gln: s.gln, extension: s.ext },
  ...(bizLocation ? { bizLocation: { gln: s.gln, extension: s.ext } } : {}),
});
const units = (serials: readonly string[]) => serials.map((serial) => ({ gtin: GTIN, serial }));
const partyAt = (s: Site) => ({ party: s.gln, location: { gln: s.gln, extension: s.ext } });

export interface Objects {
  readonly serials?: readonly string[];
  readonly ssccs?: readonly string[];
}
const objects = (o: Objects) => ({ ...(o.serials ? { units: units(o.serials) } : {}), ...(o.ssccs ? { ssccs: o.ssccs } : {}) });

/** EPCIS events from the schemas/epcis builders (the gateway's), as a site would record them. */
export const events = {
  commission: (s: Site, serials: readonly string[], time: string, ilmd: { lot?: string; expiry?: string } = {}) =>
    built(buildCommissioningEvent({ ...where(s, time), units: units(serials), lot: ilmd.lot ?? 'LOT1', expiry: ilmd.expiry ?? '2028-12-31' })),
  pack: (s: Site, container: string, o: Objects, time: string) => built(buildPackingEvent({ ...where(s, time), sscc: container, ...objects(o) })),
  unpack: (s: Site, container: string, time: string, o: Objects = {}) => built(buildUnpackingEvent({ ...where(s, time), sscc: container, ...objects(o) })),
  ship: (s: Site, o: Objects, to: Site, time: string) =>
    built(buildShippingEvent({ ...where(s, time, false), ...objects(o), source: partyAt(s), destination: partyAt(to) })),
  receive: (s: Site, o: Objects, from: Site, time: string) =>
    built(buildReceivingEvent({ ...where(s, time), ...objects(o), source: partyAt(from), destination: partyAt(s) })),
  voidShipping: (s: Site, o: Objects, time: string) => built(buildVoidShippingEvent({ ...where(s, time), ...objects(o) })),
  dispense: (s: Site, serials: readonly string[], time: string) => built(buildDispensingEvent({ ...where(s, time), units: units(serials) })),
  destroy: (s: Site, serials: readonly string[], time: string) => built(buildDestroyingEvent({ ...where(s, time), units: units(serials) })),
};

/** Re-seals a hand-edited event: its eventID is recomputed from the new content (CBV 2.0 §8.9). */
export function reseal<E extends object>(event: E): E {
  const { eventID: _old, ...rest } = event as E & { eventID?: string };
  const id = computeEventHashId(rest, { context: PEDIGREE_CONTEXT });
  if (!id.ok) throw new Error(id.message);
  return { ...(rest as object), eventID: id.value } as E;
}

/** The ObjectEvent a manufacturer records to mark units recalled (disposition `recalled`, DESIGN.md §8). */
export function recallEvent(s: Site, serials: readonly string[], time: string) {
  const { ilmd: _ilmd, ...base } = events.commission(s, serials, time);
  return reseal({ ...base, action: 'OBSERVE', bizStep: 'holding', disposition: 'recalled' });
}

/** The same event declared erroneous (EPCIS 2.0 §7.4.1.2): same content, plus errorDeclaration. */
export function errorDeclaration<E extends { eventID?: string }>(event: E, time: string, corrective: readonly string[] = []) {
  return { ...event, errorDeclaration: { declarationTime: time, reason: 'incorrect_data', ...(corrective.length ? { correctiveEventIDs: corrective } : {}) } };
}

/**
 * Publishes the events (signed, one seq each) from the site's gateway, waits for their receipts and for the custody
 * rules to apply them; returns the entry indexes.
 */
export async function record(h: LedgerHarness, s: Site, list: readonly object[]): Promise<number[]> {
  const seqs = list.map(() => ++s.seq);
  await Promise.all(list.map((e, i) => s.client.publish(s.client.envelope(seqs[i]!, e as Record<string, unknown>))));
  const receipts = await s.client.waitForReceipts(seqs);
  for (const r of receipts) expect(r, JSON.stringify(r)).toMatchObject({ status: 'accepted' });
  await settle(h);
  return receipts.map((r) => r.index!);
}

/** Waits until every committed batch has been through the custody rules. */
export async function settle(h: LedgerHarness): Promise<void> {
  await h.ledger.pipeline.drain();
  await h.ledger.custody.drain();
}

/** Waits for a site to receive an alert matching `match`. */
export async function expectSiteAlert(site: Site, match: (body: Record<string, any>) => boolean, timeoutMs = 5000): Promise<Record<string, any>> {
  const started = Date.now();
  for (;;) {
    const found = site.alerts.find((a) => match(a.body));
    if (found) return found.body;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${site.name} got no matching alert; got ${JSON.stringify(site.alerts.map((a) => [a.body.code, a.body.epc, a.body.status]))}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
