// What the custody rules read of an event (custody-facts.ts), whether the identifiers come from the envelope checks
// (worker thread, each string parsed once for the chain keys and the rules) or are read again from the event: the
// official EPCIS 2.0 examples and the pharmacy events of our scenarios give the same facts either way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namedIdentifiers, readCustodyFacts } from '../../../server/domain/custody-facts.js';
import { eventIdentifiers, identifierFacts, identifierFactsOfOneEvent, identifierKey } from '../../../server/domain/event-identifiers.js';
import { computeCheckDigit } from '../../../schemas/gs1/check-digit.js';
import { standardsPath } from '../../harness/standards-dir.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.json(ld)?$/.test(n) ? [p] : [];
  });
}

const examples = files(standardsPath('epcis', 'JSON')).flatMap((f) => {
  const doc = JSON.parse(readFileSync(f, 'utf8')) as { epcisBody?: { eventList?: Record<string, unknown>[] } };
  return (doc.epcisBody?.eventList ?? []).map((event, i) => ({ name: `${f.split('/').pop()} #${i}`, event }));
});

const SGTIN = 'https://id.gs1.org/01/09506000134352/21/S001';
const withCheckDigit = (stem: string) => stem + computeCheckDigit(stem);
const MAKER = withCheckDigit('950600000000');
const PHARMACY = withCheckDigit('950600000001');
const SSCC = `https://id.gs1.org/00/${withCheckDigit('09506000123456789')}`;
const pharmacy: { name: string; event: Record<string, unknown> }[] = [
  {
    name: 'a pack scanned with lot and expiry, on a shipment',
    event: {
      type: 'ObjectEvent',
      action: 'OBSERVE',
      eventTime: '2026-11-24T09:00:00Z',
      eventTimeZoneOffset: '+01:00',
      epcList: ['https://id.gs1.org/01/09506000134352/10/LOT7/21/S001?17=271231', 'urn:epc:id:sgtin:9506000.013435.S002', 'not an identifier', 42],
      bizStep: 'shipping',
      disposition: 'in_transit',
      readPoint: { id: `https://id.gs1.org/414/${MAKER}/254/dock` },
      sourceList: [{ type: 'owning_party', source: `https://id.gs1.org/417/${MAKER}` }],
      destinationList: [
        { type: 'owning_party', destination: 'urn:epc:id:pgln:9506000.00001' },
        { type: 'location', destination: `https://id.gs1.org/414/${PHARMACY}/254/0` },
      ],
    },
  },
  {
    name: 'packing into a case, the parent also listed as a child',
    event: {
      type: 'AggregationEvent',
      action: 'ADD',
      eventTime: '2026-11-24T09:00:00Z',
      eventTimeZoneOffset: '+00:00',
      parentID: SSCC,
      childEPCs: [SGTIN, SGTIN, SSCC],
      bizLocation: { id: 'urn:epc:id:sgln:9506000.00000.0' },
    },
  },
];

describe('custody facts read with the envelope checks', () => {
  it.each([...examples, ...pharmacy])('are the facts read from the event: $name', ({ event }) => {
    const factsOf = identifierFactsOfOneEvent();
    const identifiers = eventIdentifiers(event, factsOf);
    const named = namedIdentifiers(event, factsOf);
    expect(identifiers).toEqual(eventIdentifiers(event));
    const entry = { index: 7, eventId: 'ni:///sha-256;00?ver=CBV2.0', eventTime: '2026-11-24T09:00:00.000Z', event, party: MAKER };
    expect(readCustodyFacts({ ...entry, named })).toEqual(readCustodyFacts(entry));
  });

  it('read the official examples: some name identifiers, all parse', () => {
    expect(examples.length).toBeGreaterThan(10);
    expect(examples.some(({ event }) => namedIdentifiers(event).length > 0)).toBe(true);
  });

  it('keep a chain key without lot or expiry, and the scanned lot and expiry beside it', () => {
    const event = pharmacy[0]!.event;
    expect(namedIdentifiers(event)).toEqual([
      { epc: SGTIN, role: 'object', lot: 'LOT7', expiry: '2027-12-31' },
      { epc: 'https://id.gs1.org/01/09506000134352/21/S002', role: 'object', lot: null, expiry: null },
    ]);
    expect(identifierKey('https://id.gs1.org/01/09506000134352/10/LOT7/21/S001')).toBe(SGTIN);
    expect(identifierFacts('https://id.gs1.org/01/09506000134353/21/S001')).toBeUndefined(); // bad check digit
    const facts = readCustodyFacts({ index: 1, eventId: null, eventTime: '2026-11-24T09:00:00.000Z', event, party: null }).facts;
    expect(facts).toMatchObject({
      sourceParty: MAKER,
      destinationParty: PHARMACY,
      destinationLocation: `https://id.gs1.org/414/${PHARMACY}/254/0`,
      location: `https://id.gs1.org/414/${MAKER}/254/dock`,
      eventDate: '2026-11-24',
    });
  });

  it('name a container once, as the parent, and take its key as the parent', () => {
    const event = pharmacy[1]!.event;
    expect(namedIdentifiers(event).map((n) => [n.role, n.epc])).toEqual([
      ['parent', SSCC],
      ['child', SGTIN],
    ]);
    const facts = readCustodyFacts({ index: 1, eventId: null, eventTime: '2026-11-24T09:00:00.000Z', event, party: null }).facts;
    expect(facts.parent).toBe(SSCC);
    expect(facts.location).toBe(`https://id.gs1.org/414/${MAKER}`);
  });
});
