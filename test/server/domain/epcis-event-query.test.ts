import { describe, expect, it } from 'vitest';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, parseEventQuery } from '../../../server/domain/epcis-event-query.js';
import { identifierSpellings, patternPrefixes } from '../../../server/domain/epc-spellings.js';

const parse = (qs: string) => parseEventQuery(new URLSearchParams(qs));

describe('EPC spellings', () => {
  it('lists a Digital Link, its canonical form and its EPC URN under every company prefix length', () => {
    const s = identifierSpellings('https://example.com/01/10614141073464/21/2017');
    expect(s).toContain('https://id.gs1.org/01/10614141073464/21/2017');
    expect(s).toContain('urn:epc:id:sgtin:0614141.107346.2017');
    expect(s).toContain('urn:epc:id:sgtin:061414107346.1.2017');
  });

  it('goes from an EPC URN to the Digital Link, and leaves other URIs as they are', () => {
    expect(identifierSpellings('urn:epc:id:sgln:0614141.07346.1234')).toContain('https://id.gs1.org/414/0614141073467/254/1234');
    expect(identifierSpellings('urn:uuid:4e9a3c8e-0000-4000-8000-000000000000')).toEqual(['urn:uuid:4e9a3c8e-0000-4000-8000-000000000000']);
  });

  it('reads EPC patterns as prefixes in both spellings', () => {
    expect(patternPrefixes('urn:epc:idpat:sgtin:0614141.107346.*')).toEqual(
      expect.arrayContaining(['urn:epc:id:sgtin:0614141.107346.', 'https://id.gs1.org/01/10614141073464/']),
    );
    expect(patternPrefixes('urn:epc:idpat:sgtin:0614141.*.*')).toEqual(['urn:epc:id:sgtin:0614141.']);
    expect(patternPrefixes('urn:epc:idpat:sgtin:0614141.*.7')).toEqual([]);
    expect(patternPrefixes('urn:epc:id:sgtin:0614141.107346.1')).toBeUndefined();
  });
});

describe('SimpleEventQuery parameters', () => {
  it('reads pipe-delimited values and repeated parameters, and every CBV spelling of a word', () => {
    const r = parse('EQ_bizStep=shipping|receiving&EQ_action=ADD&EQ_action=OBSERVE');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.query.actions).toEqual(['ADD', 'OBSERVE']);
    expect(r.query.bizSteps).toEqual(
      expect.arrayContaining(['shipping', 'https://ref.gs1.org/cbv/BizStep-shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'receiving']),
    );
  });

  it('reads a time whose + the client did not escape', () => {
    const r = parse('GE_eventTime=2026-01-31T12:00:00.000 02:00');
    expect(r.ok && r.query.eventTime.ge).toBe('2026-01-31T10:00:00.000Z');
  });

  it('orders by log index unless told, DESC by default when told; caps perPage', () => {
    const plain = parse('');
    expect(plain.ok && [plain.query.orderBy, plain.query.orderDirection, plain.paging.perPage]).toEqual([undefined, 'ASC', DEFAULT_PER_PAGE]);
    const ordered = parse('orderBy=eventTime&perPage=100000');
    expect(ordered.ok && [ordered.query.orderDirection, ordered.paging.perPage]).toEqual(['DESC', MAX_PER_PAGE]);
  });

  it('gives the same fingerprint to the same filters in any order, whatever the page', () => {
    const a = parse('EQ_action=ADD&eventType=ObjectEvent&perPage=2');
    const b = parse('eventType=ObjectEvent&EQ_action=ADD&nextPageToken=x');
    expect(a.ok && b.ok && a.fingerprint === b.fingerprint).toBe(true);
  });

  it.each(['EQ_action=', 'MATCH_epc=' + Array.from({ length: 51 }, (_, i) => `urn:x:${i}`).join('|'), 'orderBy=eventTime&orderBy=recordTime', 'eventType=Object Event'])(
    'raises QueryParameterException for %s',
    (qs) => {
      const r = parse(qs);
      expect(r.ok ? 'ok' : r.exception).toBe('QueryParameterException');
    },
  );
});
