// EPCIS XML → JSON-LD conversion (EPCIS 2.0 XML binding → JSON-LD binding): shape, validity, and refusal of hostile XML.

import { describe, expect, it } from 'vitest';
import { computeDocumentEventHashIds, epcisXmlToJsonLd, validateEpcisDocument } from '../../../schemas/epcis/index.js';

const doc = (events: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://ns.example.com/epcis/" xmlns:cbvmda="urn:epcglobal:cbv:mda" schemaVersion="2.0" creationDate="2024-03-01T10:00:00Z">${extra}
  <EPCISBody><EventList>${events}</EventList></EPCISBody>
</epcis:EPCISDocument>`;

const objectEvent = `
<ObjectEvent>
  <eventTime>2024-03-01T10:15:00.123+01:00</eventTime>
  <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
  <epcList><epc>urn:epc:id:sgtin:4012345.011111.A1</epc><epc>urn:epc:id:sgtin:4012345.011111.A2</epc></epcList>
  <action>ADD</action>
  <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
  <disposition>urn:epcglobal:cbv:disp:active</disposition>
  <readPoint><id>urn:epc:id:sgln:4012345.00000.0</id></readPoint>
  <bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">urn:epcglobal:cbv:bt:4012345000009:PO1</bizTransaction></bizTransactionList>
  <extension><ilmd><cbvmda:lotNumber>L1</cbvmda:lotNumber><ex:grade a="1">A &amp; B</ex:grade></ilmd></extension>
  <ex:note>hello</ex:note>
</ObjectEvent>`;

describe('epcisXmlToJsonLd', () => {
  it('turns an EPCIS XML document into an EPCIS 2.0 JSON-LD document', () => {
    const result = epcisXmlToJsonLd(doc(objectEvent));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual({
      '@context': [
        'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
        { cbvmda1: 'urn:epcglobal:cbv:mda', ex: 'https://ns.example.com/epcis/' },
      ],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2024-03-01T10:00:00Z',
      epcisBody: {
        eventList: [
          {
            type: 'ObjectEvent',
            eventTime: '2024-03-01T10:15:00.123+01:00',
            eventTimeZoneOffset: '+01:00',
            epcList: ['urn:epc:id:sgtin:4012345.011111.A1', 'urn:epc:id:sgtin:4012345.011111.A2'],
            action: 'ADD',
            bizStep: 'commissioning',
            disposition: 'active',
            readPoint: { id: 'urn:epc:id:sgln:4012345.00000.0' },
            bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:PO1' }],
            ilmd: { 'cbvmda1:lotNumber': 'L1', 'ex:grade': { 'a': '1', '#text': 'A & B' } },
            'ex:note': 'hello',
          },
        ],
      },
    });
    expect(validateEpcisDocument(result.value).ok).toBe(true);
  });

  it('keeps the XML namespace of cbvmda (urn:epcglobal:cbv:mda, no colon), which hashes differently from JSON-LD cbvmda', () => {
    const result = epcisXmlToJsonLd(doc(objectEvent));
    if (!result.ok) throw new Error(result.message);
    const hashed = computeDocumentEventHashIds(result.value);
    expect(hashed.ok && hashed.value[0]?.preHash).toContain('ilmd{https://ns.example.com/epcis/}grade=A & Ba=1');
    expect(hashed.ok && hashed.value[0]?.preHash).toContain('{urn:epcglobal:cbv:mda}lotNumber=L1');
  });

  it('resolves prefixes declared on the event element itself', () => {
    const scoped = `<ObjectEvent xmlns:y="https://y.example/"><eventTime>2024-03-01T10:15:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList/><action>OBSERVE</action><y:f>1</y:f></ObjectEvent>`;
    const result = epcisXmlToJsonLd(doc(scoped));
    expect(result.ok && (result.value['@context'] as unknown[])[1]).toEqual({ y: 'https://y.example/' });
  });

  it('refuses a DTD (no entity expansion, no billion laughs)', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>${doc(objectEvent).replace(/^<\?xml[^>]*>/, '')}`;
    const result = epcisXmlToJsonLd(bomb);
    expect(result.ok ? undefined : result.code).toBe('EPCIS_XML_INVALID');
  });

  it('refuses malformed XML, a foreign root and a document without EventList', () => {
    for (const xml of ['<a><b></a>', '<html/>', '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"/>', '', 'not xml']) {
      const result = epcisXmlToJsonLd(xml);
      expect(result.ok ? undefined : result.code).toBe('EPCIS_XML_INVALID');
    }
  });

  it('refuses elements nested deeper than MAX_XML_DEPTH without throwing', () => {
    const deep = `${'<ex:a>'.repeat(5_000)}x${'</ex:a>'.repeat(5_000)}`;
    const result = epcisXmlToJsonLd(doc(objectEvent.replace('<ex:note>hello</ex:note>', deep)));
    expect(result.ok ? undefined : result.code).toBe('EPCIS_XML_INVALID');
  });
});
