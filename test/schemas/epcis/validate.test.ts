// EPCIS JSON Schema validation against GS1's examples and OpenEPCIS's capture tests (DESIGN.md §3).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateEpcisDocument, validateEpcisEvent } from '../../../schemas/epcis/index.js';
import { standardsPath } from '../../harness/standards-dir.js';

const EPCIS = standardsPath('epcis');
const CAPTURE = join(EPCIS, 'openepcis-test-resources/2.0/EPCIS/JSON/Capture');

function walk(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]))
    .sort();
}

function load(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

const officialExamples = walk(join(EPCIS, 'JSON')).filter((f) => f.endsWith('.jsonld'));

/**
 * OpenEPCIS "valid" capture documents that the official schema (gs1/EPCIS@2b888be) refuses, and why.
 * They are asserted to fail at exactly these places, so a schema or validator change shows up here.
 */
const OPENEPCIS_VALID_BUT_REFUSED: Record<string, { path: string; why: string }> = {
  'AggregationEvent_with_persistentDisposition.json': {
    path: '/epcisBody/eventList/1',
    why: 'the schema allows persistentDisposition on ObjectEvent only',
  },
  'SensorData_with_combined_events.json': {
    path: '/epcisBody/eventList/7/sensorElementList/0/sensorReport/1/type',
    why: '"Molar_concentration" is not a measurement type of the EPCIS 2.0 context',
  },
  'TransactionEvent_with_userExtensions.json': {
    path: '/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/type',
    why: '"EffectiveDoseRate" is not a measurement type of the EPCIS 2.0 context',
  },
};

describe('validateEpcisDocument', () => {
  it('finds all 47 official EPCIS 2.0 example documents', () => {
    expect(officialExamples).toHaveLength(47);
  });

  describe.each(officialExamples.map((f) => [relative(EPCIS, f)] as const))('official example %s', (name) => {
    it('conforms to the EPCIS 2.0 JSON Schema', () => {
      const result = validateEpcisDocument(load(join(EPCIS, name)));
      expect(result.ok ? 'valid' : result.message).toBe('valid');
    });
  });

  const invalid = walk(join(CAPTURE, 'Invalid'));
  it('finds the 15 OpenEPCIS invalid capture documents', () => expect(invalid).toHaveLength(15));

  describe.each(invalid.map((f) => [f.split('/').pop() as string, f] as const))('OpenEPCIS invalid %s', (_name, file) => {
    it('is refused with EPCIS_SCHEMA_INVALID and a JSON pointer to the problem', () => {
      const result = validateEpcisDocument(load(file));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe('EPCIS_SCHEMA_INVALID');
      expect(result.errors.length).toBeGreaterThan(0);
      for (const e of result.errors) {
        expect(e.path === '' || e.path.startsWith('/')).toBe(true);
        expect(e.message).not.toBe('');
      }
    });
  });

  const valid = [...walk(join(CAPTURE, 'Documents')), ...walk(join(CAPTURE, 'Events'))];
  it('finds the 38 + 5 OpenEPCIS valid capture inputs', () => expect(valid).toHaveLength(43));

  describe.each(valid.map((f) => [f.split('/').pop() as string, f] as const))('OpenEPCIS valid %s', (name, file) => {
    const refused = OPENEPCIS_VALID_BUT_REFUSED[name];
    if (refused) {
      it(`is refused by the official schema: ${refused.why}`, () => {
        const result = validateEpcisDocument(load(file));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.errors.map((e) => e.path)).toContain(refused.path);
      });
    } else {
      it('conforms to the EPCIS 2.0 JSON Schema', () => {
        const result = validateEpcisDocument(load(file));
        expect(result.ok ? 'valid' : result.message).toBe('valid');
      });
    }
  });
});

const baseEvent = {
  type: 'ObjectEvent',
  eventTime: '2024-03-01T10:15:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  epcList: ['https://id.gs1.org/01/04012345111118/21/A1'],
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'in_transit',
  readPoint: { id: 'https://id.gs1.org/414/4012345000009' },
};

describe('validateEpcisEvent', () => {
  it('accepts an event as it sits in an eventList, without @context', () => {
    expect(validateEpcisEvent(baseEvent).ok).toBe(true);
  });

  it('accepts every event of the official examples on its own', () => {
    for (const file of officialExamples) {
      const doc = load(file) as { epcisBody?: { eventList?: unknown[] } };
      for (const event of doc.epcisBody?.eventList ?? []) {
        const result = validateEpcisEvent(event);
        expect(result.ok ? 'valid' : `${file}: ${result.message}`).toBe('valid');
      }
    }
  });

  it('accepts the OpenEPCIS single-event captures, which carry their own @context', () => {
    for (const file of walk(join(CAPTURE, 'Events'))) expect(validateEpcisEvent(load(file)).ok).toBe(true);
  });

  describe('when bizStep is a word the CBV does not define', () => {
    it('refuses it, because a bare word is not a URI (format: uri is enforced)', () => {
      const result = validateEpcisEvent({ ...baseEvent, bizStep: 'transforming' });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.code).toBe('EPCIS_SCHEMA_INVALID');
        expect(result.errors.some((e) => e.path === '/bizStep')).toBe(true);
      }
    });
  });

  describe('when eventTime is not an RFC 3339 date-time', () => {
    it('refuses it at /eventTime (format: date-time is enforced)', () => {
      const result = validateEpcisEvent({ ...baseEvent, eventTime: '22-07-2026' });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.path).toBe('/eventTime');
    });
  });

  it('refuses a field without a namespace', () => {
    const result = validateEpcisEvent({ ...baseEvent, myField: 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('myField');
  });

  it('refuses things that are not events', () => {
    for (const value of [null, 42, 'ObjectEvent', [], {}]) expect(validateEpcisEvent(value).ok).toBe(false);
  });

  it('lists at most 20 reasons', () => {
    const result = validateEpcisDocument({ type: 'EPCISDocument', epcisBody: { eventList: Array(100).fill({ type: 'ObjectEvent' }) } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.length).toBeLessThanOrEqual(20);
  });

  describe('with hostile input', () => {
    it('answers a 10,000-deep nesting in a user extension promptly', () => {
      let deep: unknown = 'x';
      for (let i = 0; i < 10_000; i++) deep = { 'ex:a': deep };
      const started = performance.now();
      const result = validateEpcisEvent({ ...baseEvent, 'ex:deep': deep });
      expect(typeof result.ok).toBe('boolean');
      expect(performance.now() - started).toBeLessThan(2_000);
    });

    it('answers a 100,000-item list of invalid EPCs promptly (it stops at the first)', () => {
      const started = performance.now();
      const result = validateEpcisEvent({ ...baseEvent, epcList: Array.from({ length: 100_000 }, (_, i) => `not a uri ${i}`) });
      expect(result.ok).toBe(false);
      expect(performance.now() - started).toBeLessThan(2_000);
    });
  });
});

describe('uniqueness of identifiers', () => {
  it('checks a 50,000-EPC list in linear time', () => {
    const epcList = Array.from({ length: 50_000 }, (_, i) => `https://id.gs1.org/01/04012345111118/21/${i}`);
    const started = performance.now();
    expect(validateEpcisEvent({ ...baseEvent, epcList }).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('still refuses an EPC listed twice', () => {
    const result = validateEpcisEvent({ ...baseEvent, epcList: [baseEvent.epcList[0], baseEvent.epcList[0]] });
    expect(result.ok).toBe(false);
  });

  it('refuses an @context of more than 64 entries before comparing them pairwise', () => {
    const result = validateEpcisDocument({ '@context': Array.from({ length: 50_000 }, () => ({})), type: 'EPCISDocument' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.path).toBe('/@context');
  });
});
