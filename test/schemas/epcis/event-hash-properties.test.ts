// What must not change an event hash ID: key order, list order, whitespace, how times, identifiers and CBV words are written (CBV 2.0 event hash ID).

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PEDIGREE_CONTEXT,
  buildCommissioningEvent,
  buildShippingEvent,
  computeDocumentEventHashIds,
  computeEventHashId,
  computeEventPreHash,
  epcisXmlToJsonLd,
} from '../../../schemas/epcis/index.js';
import { standardsPath } from '../../harness/standards-dir.js';

const EXAMPLES = standardsPath('epcis', 'event-hash-vectors', 'examples');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The same JSON with every object's keys in the order `order` gives. */
function reorderKeys(value: Json, order: (keys: string[]) => string[]): Json {
  if (Array.isArray(value)) return value.map((v) => reorderKeys(v, order));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const k of order(Object.keys(value))) out[k] = reorderKeys(value[k] as Json, order);
    return out;
  }
  return value;
}

function hashes(doc: unknown): string[] {
  const r = computeDocumentEventHashIds(doc);
  if (!r.ok) throw new Error(r.message);
  return r.value.map((h) => h.eventHashId);
}

const jsonDocs = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.jsonld'))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Json] as const);

const shipping = buildShippingEvent({
  eventTime: '2024-03-01T09:15:00.123Z',
  eventTimeZoneOffset: '+01:00',
  readPoint: { gln: '4012345000009' },
  units: [
    { gtin: '04012345111118', serial: 'A1' },
    { gtin: '04012345111118', serial: 'A2' },
  ],
  ssccs: ['340123451111111111'],
  source: { party: '4012345000009', location: { gln: '4012345000009' } },
  destination: { party: '0614141000005', location: { gln: '0614141000005' } },
  bizTransactions: [
    { type: 'desadv', id: 'urn:epcglobal:cbv:bt:4012345000009:ASN1' },
    { type: 'po', id: 'urn:epcglobal:cbv:bt:0614141000005:PO9' },
  ],
});
if (!shipping.ok) throw new Error(shipping.message);
const event = JSON.parse(JSON.stringify(shipping.value)) as Record<string, Json>;
const id = (e: unknown) => computeEventHashId(e, { context: PEDIGREE_CONTEXT });

describe('the hash does not depend on key order', () => {
  it.each(jsonDocs)('%s: reversed keys everywhere give the same hashes', (_f, doc) => {
    expect(hashes(reorderKeys(doc, (k) => [...k].reverse()))).toEqual(hashes(doc));
  });

  it('any permutation of keys of a built event gives its eventID', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        let s = seed;
        const shuffle = (keys: string[]) => {
          const out = [...keys];
          for (let i = out.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) % 2 ** 31;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j] as string, out[i] as string];
          }
          return out;
        };
        expect(id(reorderKeys(event, shuffle))).toEqual({ ok: true, value: shipping.value.eventID });
      }),
      { numRuns: 200 },
    );
  });
});

describe('the hash does not depend on list order', () => {
  it('epcList, bizTransactionList, sourceList and destinationList in any order', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), (a, b, c, d) => {
        const flip = <T>(list: T[], yes: boolean) => (yes ? [...list].reverse() : list);
        const changed = {
          ...event,
          epcList: flip(event['epcList'] as Json[], a),
          bizTransactionList: flip(event['bizTransactionList'] as Json[], b),
          sourceList: flip(event['sourceList'] as Json[], c),
          destinationList: flip(event['destinationList'] as Json[], d),
        };
        expect(id(changed)).toEqual({ ok: true, value: shipping.value.eventID });
      }),
    );
  });
});

describe('the hash does not depend on whitespace', () => {
  it('around values (stripped, as the reference does)', () => {
    const padded = { ...event, action: ' OBSERVE\n', readPoint: { id: ` ${(event['readPoint'] as { id: string }).id}\t` } };
    expect(id(padded)).toEqual(id(event));
  });

  it('except around a bare CBV word, which is then not a CBV word (JSON-LD expansion, as in the reference)', () => {
    expect(id({ ...event, bizStep: ' shipping' })).not.toEqual(id(event));
  });

  it('between XML elements: an indented and a one-line XML document hash alike', () => {
    const xml = readFileSync(join(EXAMPLES, 'epcisDocWithVariousEventTypes.xml'), 'utf8');
    const oneLine = xml.replace(/>\s+</g, '><');
    const a = epcisXmlToJsonLd(xml);
    const b = epcisXmlToJsonLd(oneLine);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(hashes(b.value)).toEqual(hashes(a.value));
  });
});

describe('the hash does not depend on how the event time is written', () => {
  it.each([
    '2024-03-01T10:15:00.123+01:00',
    '2024-03-01T09:15:00.123Z',
    '2024-03-01T09:15:00.123+00:00',
    '2024-03-01T04:15:00.123-05:00',
    '2024-03-01T23:15:00.123+14:00',
    '2024-03-01T09:15:00.1230Z',
    '2024-03-01T09:15:00.123456Z',
  ])('eventTime %s', (eventTime) => {
    expect(id({ ...event, eventTime })).toEqual({ ok: true, value: shipping.value.eventID });
  });

  it('rounds sub-millisecond digits half to even, as the reference does', () => {
    const at = (t: string) => computeEventPreHash({ ...event, eventTime: t });
    expect(at('2023-02-02T11:04:03.1415Z')).toMatchObject({ value: expect.stringContaining('eventTime=2023-02-02T11:04:03.142Z') });
    expect(at('2023-02-02T11:04:03.1425Z')).toMatchObject({ value: expect.stringContaining('eventTime=2023-02-02T11:04:03.142Z') });
    expect(at('2023-02-02T11:04:03.1414999Z')).toMatchObject({ value: expect.stringContaining('eventTime=2023-02-02T11:04:03.141Z') });
    expect(at('2023-12-31T23:59:59.9996Z')).toMatchObject({ value: expect.stringContaining('eventTime=2024-01-01T00:00:00.000Z') });
  });

  it('but the offset field itself is part of the event', () => {
    expect(id({ ...event, eventTimeZoneOffset: '+02:00' })).not.toEqual(id(event));
  });
});

describe('the hash does not depend on how identifiers and CBV words are written', () => {
  it('EPC URN, canonical Digital Link and a Digital Link on another domain', () => {
    const base = { ...event, epcList: ['https://id.gs1.org/01/00614141111114/21/987'] };
    expect(id({ ...event, epcList: ['urn:epc:id:sgtin:0614141.011111.987'] })).toEqual(id(base));
    expect(id({ ...event, epcList: ['https://example.com/01/00614141111114/21/987?linkType=all'] })).toEqual(id(base));
    expect(id({ ...event, epcList: ['https://id.gs1.org/01/614141111114/21/987'] })).toEqual(id(base));
  });

  it('SGLN URN and Digital Link, with extension 0 meaning none', () => {
    expect(id({ ...event, readPoint: { id: 'urn:epc:id:sgln:4012345.00000.0' } })).toEqual(id(event));
  });

  it('bare CBV word, CBV 1.x URN and CBV Web URI', () => {
    expect(id({ ...event, bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'urn:epcglobal:cbv:disp:in_transit' })).toEqual(id(event));
    expect(id({ ...event, bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping' })).toEqual(id(event));
  });

  it('user extension prefixes: the namespace counts, not the prefix', () => {
    const a = computeEventHashId({ ...event, 'ex:note': 'x' }, { context: [...PEDIGREE_CONTEXT, { ex: 'https://ns.example.com/' }] });
    const b = computeEventHashId({ ...event, 'other:note': 'x' }, { context: [...PEDIGREE_CONTEXT, { other: 'https://ns.example.com/' }] });
    expect(a).toEqual(b);
    expect(a).not.toEqual(id(event));
  });

  it('numbers: 26, 26.0, "26.00" and "+26" are the same value', () => {
    const withQuantity = (q: Json) => ({ ...event, quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.L1', quantity: q, uom: 'KGM' }] });
    const expected = id(withQuantity(26));
    for (const q of [26.0, '26.00', '+26', '2.6e1']) expect(id(withQuantity(q))).toEqual(expected);
  });
});

describe('what the hash ignores and what it does not', () => {
  it('ignores eventID, recordTime and errorDeclaration', () => {
    const decorated = { ...event, eventID: 'urn:uuid:1', recordTime: '2030-01-01T00:00:00Z', errorDeclaration: { declarationTime: '2030-01-01T00:00:00Z' } };
    expect(id(decorated)).toEqual(id(event));
  });

  it('changes when any hashed value changes', () => {
    expect(id({ ...event, disposition: 'in_progress' })).not.toEqual(id(event));
    expect(id({ ...event, epcList: (event['epcList'] as string[]).slice(1) })).not.toEqual(id(event));
  });

  it('honours a document-level ignoreFields list of repository fields', () => {
    const extra = { ...event, 'repo:hash': 'x' };
    const ctx = [...PEDIGREE_CONTEXT, { repo: 'https://repo.example.com/' }];
    expect(computeEventHashId(extra, { context: ctx, ignoreFields: ['repo:hash'] })).toEqual(id(event));
    expect(computeEventHashId(extra, { context: ctx })).not.toEqual(id(event));
  });
});

describe('commissioning ILMD', () => {
  it('is hashed whatever the order of lot and expiry', () => {
    const base = { eventTime: '2024-03-01T09:15:00Z', eventTimeZoneOffset: '+01:00', readPoint: { gln: '4012345000009' }, units: [{ gtin: '04012345111118', serial: '1' }] };
    const a = buildCommissioningEvent({ ...base, lot: 'L1', expiry: '2026-01-31' });
    if (!a.ok) throw new Error(a.message);
    const ilmd = a.value.ilmd as Record<string, string>;
    const swapped = { ...a.value, ilmd: { 'cbvmda:itemExpirationDate': ilmd['cbvmda:itemExpirationDate'], 'cbvmda:lotNumber': ilmd['cbvmda:lotNumber'] } };
    expect(id(swapped)).toEqual({ ok: true, value: a.value.eventID });
  });
});
