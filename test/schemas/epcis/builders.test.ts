// The event builders: every event they make passes the EPCIS JSON Schema and carries its own hash ID (DESIGN.md §§2–3).

import { describe, expect, it } from 'vitest';
import {
  PEDIGREE_CONTEXT,
  buildCommissioningEvent,
  buildDecommissioningEvent,
  buildDestroyingEvent,
  buildDispensingEvent,
  buildEpcisDocument,
  buildPackingEvent,
  buildReceivingEvent,
  buildReturningEvent,
  buildShippingEvent,
  buildTransactionEvent,
  buildUnpackingEvent,
  buildVoidShippingEvent,
  computeDocumentEventHashIds,
  computeEventHashId,
  computeEventPreHash,
  validateEpcisDocument,
  validateEpcisEvent,
  type BuildResult,
  type PedigreeEvent,
} from '../../../schemas/epcis/index.js';

const units = [
  { gtin: '04012345111118', serial: 'A1B2C3' },
  { gtin: '4012345111118', serial: 'X/7' }, // GTIN-13, a serial that needs escaping
];
const when = {
  eventTime: '2024-03-01T09:15:00.123Z',
  eventTimeZoneOffset: '+01:00',
  readPoint: { gln: '4012345000009', extension: 'dock-3' },
  bizLocation: { gln: '4012345000009' },
};
const maker = { party: '4012345000009', location: { gln: '4012345000009' } };
const pharmacy = { party: '0614141000005', location: { gln: '0614141000005', extension: '1' } };
const desadv = { type: 'desadv' as const, id: 'urn:epcglobal:cbv:bt:4012345000009:ASN-1099' };
const po = { type: 'po' as const, id: 'urn:epcglobal:cbv:bt:0614141000005:PO-77' };

const built: [string, BuildResult<PedigreeEvent>][] = [
  ['commissioning', buildCommissioningEvent({ ...when, units, lot: 'L2024-03', expiry: '2026-02-28' })],
  ['shipping', buildShippingEvent({ ...when, units, ssccs: ['340123451111111111'], source: maker, destination: pharmacy, bizTransactions: [desadv, po] })],
  ['receiving', buildReceivingEvent({ ...when, ssccs: ['340123451111111111'], source: maker, destination: pharmacy })],
  ['receiving in progress', buildReceivingEvent({ ...when, units, source: maker, destination: pharmacy, disposition: 'in_progress' })],
  ['returning', buildReturningEvent({ ...when, units, source: pharmacy, destination: maker })],
  ['void shipping', buildVoidShippingEvent({ ...when, units })],
  ['dispensing', buildDispensingEvent({ ...when, units: [units[0]!] })],
  ['partial dispensing', buildDispensingEvent({ ...when, units: [units[0]!], disposition: 'partially_dispensed' })],
  ['destroying', buildDestroyingEvent({ ...when, units })],
  ['decommissioning', buildDecommissioningEvent({ ...when, units })],
  ['packing', buildPackingEvent({ ...when, sscc: '340123451111111111', units })],
  ['packing cases on a pallet', buildPackingEvent({ ...when, sscc: '340123452222222222', ssccs: ['340123451111111111'] })],
  ['unpacking some', buildUnpackingEvent({ ...when, sscc: '340123451111111111', units: [units[1]!] })],
  ['unpacking all', buildUnpackingEvent({ ...when, sscc: '340123451111111111' })],
  ['transaction (PO)', buildTransactionEvent({ ...when, bizTransactions: [po], units })],
  ['transaction (invoice, pallet)', buildTransactionEvent({ ...when, bizTransactions: [{ type: 'inv', id: 'urn:epcglobal:cbv:bt:4012345000009:INV-5' }], parentSscc: '340123452222222222', ssccs: ['340123451111111111'], action: 'DELETE' })],
];

describe.each(built)('the %s builder', (_name, result) => {
  it('builds an event', () => expect(result.ok ? 'built' : result.message).toBe('built'));
  if (!result.ok) return;
  const event = result.value;

  it('makes an event the EPCIS JSON Schema accepts', () => {
    const valid = validateEpcisEvent(event);
    expect(valid.ok ? 'valid' : valid.message).toBe('valid');
  });

  it('stamps eventID with the CBV 2.0 hash ID of the event', () => {
    expect(event.eventID).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    expect(computeEventHashId(event, { context: PEDIGREE_CONTEXT })).toEqual({ ok: true, value: event.eventID });
  });

  it('gets the same ID when hashed without a context (the default context declares cbvmda too)', () => {
    expect(computeEventHashId(JSON.parse(JSON.stringify(event)))).toEqual({ ok: true, value: event.eventID });
  });

  it('writes identifiers as Digital Links on id.gs1.org (DESIGN.md §2)', () => {
    const ids = [
      ...('epcList' in event ? (event.epcList ?? []) : []),
      ...('childEPCs' in event ? (event.childEPCs ?? []) : []),
      ...('parentID' in event && event.parentID ? [event.parentID] : []),
      event.readPoint?.id ?? '',
    ];
    for (const id of ids) expect(id.startsWith('https://id.gs1.org/')).toBe(true);
  });

  it('writes eventTime in its own offset with milliseconds', () => {
    expect(event.eventTime).toBe('2024-03-01T10:15:00.123+01:00');
  });
});

describe('buildEpcisDocument', () => {
  const events = built.flatMap(([, r]) => (r.ok ? [r.value] : []));
  const doc = buildEpcisDocument(events, { creationDate: new Date('2024-03-01T10:00:00Z') });

  it('wraps the events in a document the EPCIS JSON Schema accepts', () => {
    const valid = validateEpcisDocument(doc);
    expect(valid.ok ? 'valid' : valid.message).toBe('valid');
  });

  it('declares the official context and the cbvmda prefix', () => {
    expect(doc['@context']).toEqual([
      'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
      { cbvmda: 'urn:epcglobal:cbv:mda:' },
    ]);
  });

  it('hashes every event to its eventID when the whole document is hashed', () => {
    const hashes = computeDocumentEventHashIds(JSON.parse(JSON.stringify(doc)));
    expect(hashes.ok).toBe(true);
    if (hashes.ok) expect(hashes.value.map((h) => h.eventHashId)).toEqual(events.map((e) => e.eventID));
  });
});

describe('the commissioning event', () => {
  const result = buildCommissioningEvent({ ...when, units, lot: 'L2024-03', expiry: '2026-02-28' });

  it('is ADD commissioning active with lot and expiry as cbvmda ILMD', () => {
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      ilmd: { 'cbvmda:lotNumber': 'L2024-03', 'cbvmda:itemExpirationDate': '2026-02-28' },
    });
    expect(result.value.epcList).toEqual([
      'https://id.gs1.org/01/04012345111118/21/A1B2C3',
      'https://id.gs1.org/01/04012345111118/21/X%2F7',
    ]);
  });

  it('hashes the ILMD under the cbvmda namespace', () => {
    if (!result.ok) return;
    const pre = computeEventPreHash(result.value, { context: PEDIGREE_CONTEXT });
    expect(pre.ok && pre.value.endsWith('ilmd{urn:epcglobal:cbv:mda:}itemExpirationDate=2026-02-28{urn:epcglobal:cbv:mda:}lotNumber=L2024-03')).toBe(true);
  });

  it('gets a different ID for a different lot: the lot is evidence (DESIGN.md §2)', () => {
    const other = buildCommissioningEvent({ ...when, units, lot: 'L2024-04', expiry: '2026-02-28' });
    expect(other.ok && result.ok && other.value.eventID !== result.value.eventID).toBe(true);
  });
});

describe('the shipping event', () => {
  it('names owner and location on both sides, and the transactions', () => {
    const [, result] = built[1]!;
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      sourceList: [
        { type: 'owning_party', source: 'https://id.gs1.org/417/4012345000009' },
        { type: 'location', source: 'https://id.gs1.org/414/4012345000009' },
      ],
      destinationList: [
        { type: 'owning_party', destination: 'https://id.gs1.org/417/0614141000005' },
        { type: 'location', destination: 'https://id.gs1.org/414/0614141000005/254/1' },
      ],
      bizTransactionList: [
        { type: 'desadv', bizTransaction: desadv.id },
        { type: 'po', bizTransaction: po.id },
      ],
    });
  });
});

describe('when the input is wrong', () => {
  it('refuses a GTIN with a wrong check digit (INCORRECT_CHECK_DIGIT)', () => {
    const result = buildDispensingEvent({ ...when, units: [{ gtin: '04012345111119', serial: '1' }] });
    expect(result.ok ? undefined : result.code).toBe('INCORRECT_CHECK_DIGIT');
  });

  it('refuses an SSCC with a wrong check digit', () => {
    expect(buildPackingEvent({ ...when, sscc: '340123451111111112', units }).ok).toBe(false);
  });

  it('refuses an offset that is not ±HH:MM', () => {
    const result = buildDispensingEvent({ ...when, eventTimeZoneOffset: '+1', units });
    expect(result.ok ? undefined : result.code).toBe('EPCIS_SCHEMA_INVALID');
  });

  it('refuses an eventTime without an offset', () => {
    const result = buildDispensingEvent({ ...when, eventTime: '2024-03-01T09:15:00', units });
    expect(result.ok ? undefined : result.path).toBe('/eventTime');
  });

  it('refuses an expiry that is not YYYY-MM-DD', () => {
    expect(buildCommissioningEvent({ ...when, units, expiry: '260228' }).ok).toBe(false);
  });

  it('refuses an event about nothing, and the same unit twice', () => {
    expect(buildDispensingEvent({ ...when, units: [] }).ok).toBe(false);
    expect(buildDispensingEvent({ ...when, units: [units[0]!, units[0]!] }).ok).toBe(false);
    expect(buildPackingEvent({ ...when, sscc: '340123451111111111' }).ok).toBe(false);
  });

  it('refuses a transaction event without a transaction', () => {
    expect(buildTransactionEvent({ ...when, bizTransactions: [], units }).ok).toBe(false);
  });
});

describe('formatting eventTime', () => {
  it('writes a Date in the given offset, crossing midnight and the date line', () => {
    const result = buildDispensingEvent({ ...when, eventTime: new Date('2024-12-31T23:30:00Z'), eventTimeZoneOffset: '+14:00', units });
    expect(result.ok && result.value.eventTime).toBe('2025-01-01T13:30:00.000+14:00');
  });

  it('does not change the hash ID with the offset the instant was given in', () => {
    const a = buildDispensingEvent({ ...when, eventTime: '2024-03-01T09:15:00.123Z', units });
    const b = buildDispensingEvent({ ...when, eventTime: '2024-03-01T04:15:00.123-05:00', units });
    expect(a.ok && b.ok && a.value.eventID === b.value.eventID).toBe(true);
  });
});
