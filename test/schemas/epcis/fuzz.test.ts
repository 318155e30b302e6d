// Hostile input: random JSON and mutated events never make validation, hashing or XML conversion throw (STYLE.md habit 8).

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeDocumentEventHashIds,
  computeEventHashId,
  computeEventPreHash,
  epcisXmlToJsonLd,
  validateEpcisDocument,
  validateEpcisEvent,
} from '../../../schemas/epcis/index.js';
import { standardsPath } from '../../harness/standards-dir.js';

const EXAMPLES = standardsPath('epcis', 'event-hash-vectors', 'examples');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const validEvents: Json[] = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.jsonld'))
  .flatMap((f) => {
    const doc = JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as { epcisBody: { eventList?: Json[]; queryResults?: { resultsBody: { eventList: Json[] } } } };
    return doc.epcisBody.eventList ?? doc.epcisBody.queryResults?.resultsBody.eventList ?? [];
  });

function isResult(r: unknown): boolean {
  if (r === null || typeof r !== 'object') return false;
  const o = r as { ok?: unknown; code?: unknown; message?: unknown };
  return o.ok === true || (o.ok === false && typeof o.code === 'string' && typeof o.message === 'string');
}

function allAnswer(value: unknown): void {
  expect(isResult(validateEpcisEvent(value))).toBe(true);
  expect(isResult(computeEventHashId(value))).toBe(true);
  expect(isResult(computeEventPreHash(value, { context: value }))).toBe(true);
  expect(isResult(computeDocumentEventHashIds({ epcisBody: { eventList: [value] } }))).toBe(true);
}

/** Interesting values to plant in events: other types, CBV-ish words, identifiers, odd numbers. */
const plant: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(
    'shipping', 'in_transit', 'po', 'Temperature', 'gs1:Angle', 'cbv:Comp-x', 'urn:epc:id:sgtin:0614141.107346.2017',
    'urn:epc:idpat:sgtin:4012345.012345.*', 'https://example.com/01/9780345418913/22/1/10/2/21/3?x', 'https://id.gs1.org/8010/A/gtin/1',
    '2024-02-30T10:00:00Z', '9999-12-31T23:59:59.9999-14:00', '0001-01-01T00:00:00+14:00', '1e400', 'NaN', '-0', '__proto__',
    'urn:epcglobal:cbv:bizstep:', '', ' ', '\u2028', '\ud800', 1e308, -0, Number.MIN_VALUE, 2 ** 64, true, null, [], {},
  ),
);

const key = fc.oneof(
  fc.constantFrom('type', 'eventTime', 'eventTimeZoneOffset', 'epcList', 'childEPCs', 'quantityList', 'action', 'bizStep',
    'disposition', 'readPoint', 'bizLocation', 'bizTransactionList', 'sourceList', 'destinationList', 'sensorElementList',
    'persistentDisposition', 'ilmd', 'errorDeclaration', 'certificationInfo', '@context', 'example:x', 'fooList', '#text',
    '__proto__', 'constructor', 'id', 'sensorReport', 'sensorMetadata', 'set', 'value'),
  fc.string(),
);

type Mutation = { path: number[]; key: string; value: Json; op: 'set' | 'delete' | 'wrap' | 'dup' };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 4 }),
  key,
  value: plant,
  op: fc.constantFrom<Mutation['op']>('set', 'delete', 'wrap', 'dup'),
});

function mutate(root: Json, m: Mutation): Json {
  const copy = structuredClone(root);
  let node: Json = copy;
  for (const step of m.path) {
    const children: Json[] = Array.isArray(node) ? node : node !== null && typeof node === 'object' ? Object.values(node) : [];
    const next = children[step % Math.max(children.length, 1)];
    if (next === undefined || next === null || typeof next !== 'object') break;
    node = next;
  }
  if (node === null || typeof node !== 'object') return copy;
  if (Array.isArray(node)) {
    const i = m.path.length > 0 ? (m.path[0] as number) % (node.length + 1) : 0;
    if (m.op === 'delete') node.splice(i, 1);
    else if (m.op === 'dup' && node.length > 0) node.push(structuredClone(node[0] as Json));
    else node[i] = m.op === 'wrap' ? [m.value] : m.value;
  } else {
    const keys = Object.keys(node);
    const k = m.op === 'set' || keys.length === 0 ? m.key : (keys[m.key.length % keys.length] as string);
    const own = Object.hasOwn(node, k) ? (node[k] as Json) : m.value; // never the prototype's `constructor`
    if (m.op === 'delete') delete node[k];
    else if (m.op === 'wrap') node[k] = [own];
    else if (m.op === 'dup') node[`${k}2`] = structuredClone(own);
    else Object.defineProperty(node, k, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

describe('with random JSON values', () => {
  it('validateEpcisEvent and the hash functions always answer with a Result (10,000 values)', () => {
    fc.assert(fc.property(fc.jsonValue(), allAnswer), { numRuns: 10_000 });
  });

  it('validateEpcisDocument and computeDocumentEventHashIds always answer with a Result (2,000 values)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(isResult(validateEpcisDocument(value))).toBe(true);
        expect(isResult(computeDocumentEventHashIds(value))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('with mutations of valid events', () => {
  it(`always answer with a Result (10,000 mutations of ${validEvents.length} vector events)`, () => {
    expect(validEvents.length).toBeGreaterThan(40);
    fc.assert(
      fc.property(fc.constantFrom(...validEvents), fc.array(mutation, { minLength: 1, maxLength: 4 }), (event, mutations) => {
        allAnswer(mutations.reduce(mutate, event));
      }),
      { numRuns: 10_000 },
    );
  });

  it('hash the same mutated event to the same ID twice (no hidden state)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...validEvents), mutation, (event, m) => {
        const mutated = mutate(event, m);
        expect(computeEventHashId(mutated)).toEqual(computeEventHashId(structuredClone(mutated)));
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses nesting deeper than an event can have, instead of overflowing the stack', () => {
    let deep: Json = 'x';
    for (let i = 0; i < 100_000; i++) deep = { 'example:a': deep };
    const result = computeEventHashId({ type: 'ObjectEvent', 'example:deep': deep });
    expect(result.ok ? undefined : result.code).toBe('EPCIS_NOT_HASHABLE');
    let deepList: Json = 'x';
    for (let i = 0; i < 100_000; i++) deepList = [deepList];
    expect(isResult(computeEventHashId({ type: 'ObjectEvent', 'example:deep': deepList }))).toBe(true);
  });
});

describe('with random and mutated XML', () => {
  const xml = readFileSync(join(EXAMPLES, 'epcisDocWithVariousEventTypes.xml'), 'utf8');

  it('epcisXmlToJsonLd always answers with a Result (2,000 random strings)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        expect(isResult(epcisXmlToJsonLd(s))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('epcisXmlToJsonLd and hashing answer for 1,000 cut and spliced vector documents', () => {
    fc.assert(
      fc.property(fc.nat({ max: xml.length }), fc.nat({ max: xml.length }), fc.string({ maxLength: 20 }), (a, b, insert) => {
        const [from, to] = a < b ? [a, b] : [b, a];
        const result = epcisXmlToJsonLd(xml.slice(0, from) + insert + xml.slice(to));
        expect(isResult(result)).toBe(true);
        if (result.ok) expect(isResult(computeDocumentEventHashIds(result.value))).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
