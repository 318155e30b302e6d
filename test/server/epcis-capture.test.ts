// EPCIS 2.0 capture (REST binding POST /epcis/capture, GET /epcis/capture/{id}) end to end: every official example
// document captured and queried back with the same event hash IDs, every OpenEPCIS invalid capture document refused
// with a ValidationException naming the problem, rollback and proceed, the capture limits, the ledger-signed capture
// entries, and `npm run audit` over them.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDocumentEventHashIds, documentEvents } from '../../schemas/epcis/document-hash.js';
import { validateEpcisDocument } from '../../schemas/epcis/validate.js';
import { parseCaptureEntry, verifyCaptureEntry } from '../../schemas/signing/capture-entry.js';
import { decodeBase64 } from '../../schemas/signing/encoding.js';
import { computeCheckDigit } from '../../schemas/gs1/check-digit.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { standardsPath } from '../harness/standards-dir.js';

const run = promisify(execFile);
const STANDARDS = standardsPath('epcis');
const EXAMPLES = join(STANDARDS, 'JSON');
const INVALID = join(STANDARDS, 'openepcis-test-resources/2.0/EPCIS/JSON/Capture/Invalid');

function files(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]))
    .sort();
}
const examples = files(EXAMPLES).map((f) => ({ name: relative(EXAMPLES, f), doc: JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> }));
const invalid = files(INVALID).map((f) => ({ name: relative(INVALID, f), doc: JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> }));

/** What each OpenEPCIS invalid document gets wrong, as the ValidationException's detail must name it. */
const INVALID_PROBLEMS: Record<string, string> = {
  'Combination_of_events_with_missing_mandatory_fields.json': '/epcisBody/eventList/0: missing required property "action"',
  'Combination_of_multiple_invalid_fields.json': '/epcisBody/eventList/0/bizStep: must be a valid uri',
  'Combination_of_non_standard_bizStep_and_disposition.json': '/epcisBody/eventList/0/bizStep: must be a valid uri',
  'EPCISDocument_without_context.json': 'missing required property "@context"',
  'ObjectEvent_with_ilmd_field_without_namespace.json': '/epcisBody/eventList/0/ilmd: property name "materialType" is not allowed',
  'ObjectEvent_with_invalid_action.json': '/epcisBody/eventList/0/action: must be one of',
  'ObjectEvent_with_invalid_certificationInfo.json': '/epcisBody/eventList/0/certificationInfo/0: must be string',
  'ObjectEvent_with_invalid_eventTime_format.json': '/epcisBody/eventList/0/eventTime: must be a valid date-time',
  'ObjectEvent_with_non_standard_bizStep.json': '/epcisBody/eventList/0/bizStep: must be a valid uri',
  'ObjectEvent_with_non_standard_bizStep_in_second_event.json': '/epcisBody/eventList/1/bizStep: must be a valid uri',
  'ObjectEvent_with_non_standard_disposition.json': '/epcisBody/eventList/0/disposition: must be a valid uri',
  'ObjectEvent_with_quantity_as_text.json': '/epcisBody/eventList/0/quantityList/0/quantity: must be number',
  'ObjectEvent_with_unknown_field_in_quantityList.json': '/epcisBody/eventList/0/quantityList/0: unknown property "weight"',
  'ObjectEvent_without_action_and_eventTime.json': '/epcisBody/eventList/0: missing required property "eventTime"',
  'ObjectEvent_without_identifier_list.json': '/epcisBody/eventList/0: missing required property "epcList"',
};

const gln = (stem: string) => stem + computeCheckDigit(stem);
const MFG = gln('952000100000');
const DIST = gln('952000100010');
const REG = gln('952000100090');
const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: 'https://ns.example.com/epcis/' }];

function document(events: readonly object[]): Record<string, unknown> {
  return { '@context': CONTEXT, type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-11-01T10:00:00Z', epcisBody: { eventList: events } };
}

function observe(serial: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'ObjectEvent',
    eventTime: '2026-11-01T09:00:00.000Z',
    eventTimeZoneOffset: '+00:00',
    epcList: [`urn:epc:id:sgtin:952000.1012345.${serial}`],
    action: 'OBSERVE',
    bizStep: 'inspecting',
    ...extra,
  };
}

const stores = process.env.PEDIGREE_TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(stores)('EPCIS capture on %s', (store) => {
  let h: LedgerHarness;
  const tokens: Record<'mfg' | 'dist' | 'reg', string> = { mfg: '', dist: '', reg: '' };

  beforeAll(async () => {
    h = await startLedgerHarness({ store });
    for (const [key, party, role] of [
      ['mfg', MFG, 'manufacturer'],
      ['dist', DIST, 'distributor'],
      ['reg', REG, 'regulator'],
    ] as const) {
      expect((await h.api('POST', '/v1/parties', { gln: party, name: key, role })).status).toBe(201);
      tokens[key] = (await h.api('POST', '/v1/tokens', { party, role })).body.token;
    }
    expect((await h.api('POST', '/v1/locations', { sgln: `https://id.gs1.org/414/${DIST}/254/dock`, party: DIST, name: 'dock' })).status).toBe(201);
  });
  afterAll(async () => h?.stop());

  async function capture(doc: unknown, token: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${h.ledger.httpUrl}/epcis/capture`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/ld+json', ...headers },
      body: typeof doc === 'string' ? doc : JSON.stringify(doc),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** The finished job behind a 202's Location. */
  async function job(location: string | null, token = tokens.mfg) {
    expect(location).toMatch(/^\/epcis\/capture\/[A-Za-z0-9_-]+$/);
    await h.ledger.capture.drain();
    const r = await h.api('GET', location!, undefined, token);
    expect(r.status).toBe(200);
    expect(r.body.running).toBe(false);
    return r.body;
  }

  async function query(params: Record<string, string>, token = tokens.mfg) {
    return h.api('GET', `/epcis/events?${new URLSearchParams(params).toString()}`, undefined, token);
  }

  describe('when a party captures each official EPCIS 2.0 example document', () => {
    it.each(examples)('captures $name and queries its events back, schema-valid and with the same event hash IDs', async ({ doc }) => {
      const expected = computeDocumentEventHashIds(doc);
      expect(expected.ok).toBe(true);
      if (!expected.ok) return;
      const r = await capture(doc, tokens.mfg);
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(r.headers.get('GS1-EPCIS-Version')).toBe('2.0.0');
      const done = await job(r.headers.get('Location'));
      expect(done).toMatchObject({ success: true, captureErrorBehaviour: 'rollback', errors: [], eventCount: expected.value.length });
      const ids = expected.value.map((e) => e.eventHashId);
      expect(done.events.map((e: { eventID: string }) => e.eventID.replace('#errorDeclaration', ''))).toEqual(ids);

      const back = await query({ EQ_eventID: [...new Set(ids)].join('|'), perPage: '50' });
      expect(back.status, back.text).toBe(200);
      const valid = validateEpcisDocument(back.body);
      expect(valid.ok ? true : valid.message).toBe(true);
      const hashed = computeDocumentEventHashIds(back.body);
      expect(hashed.ok ? true : hashed.message).toBe(true);
      if (!hashed.ok) return;
      // An errorDeclaration shares its event's hash ID (CBV 2.0 §8.9): both come back for that ID.
      expect(new Set(hashed.value.map((e) => e.eventHashId))).toEqual(new Set(ids));
      for (const e of documentEvents(back.body) as Record<string, unknown>[]) {
        expect(typeof e.recordTime).toBe('string');
        expect(typeof e.eventID).toBe('string');
      }
    });

    it('merges clashing @context prefixes in one query document without changing any event hash ID', async () => {
      const all = examples.flatMap(({ doc }) => {
        const r = computeDocumentEventHashIds(doc);
        return r.ok ? r.value.map((e) => e.eventHashId) : [];
      });
      const ids = [...new Set(all)];
      const collected = new Set<string>();
      for (let i = 0; i < ids.length; i += 40) {
        const back = await query({ EQ_eventID: ids.slice(i, i + 40).join('|'), perPage: '100' });
        expect(back.status).toBe(200);
        const valid = validateEpcisDocument(back.body);
        expect(valid.ok ? true : valid.message).toBe(true);
        const hashed = computeDocumentEventHashIds(back.body);
        expect(hashed.ok).toBe(true);
        if (hashed.ok) for (const e of hashed.value) collected.add(e.eventHashId);
      }
      // Document-wide bare-word expansion (the reference's) could in principle differ between documents; it does not here.
      expect([...collected].sort()).toEqual([...ids].sort());
    });

    it('is idempotent: the same document again appends nothing and reports duplicates with the original indexes', async () => {
      const { doc } = examples.find((e) => e.name === 'Example_9.6.1-ObjectEvent.jsonld')!;
      const before = await h.ledger.store.treeSize();
      const r = await capture(doc, tokens.mfg);
      const done = await job(r.headers.get('Location'));
      expect(done.success).toBe(true);
      expect(done.events.every((e: { status: string }) => e.status === 'duplicate')).toBe(true);
      expect(await h.ledger.store.treeSize()).toBe(before);
    });

    it('stores each event as a capture entry signed by the ledger on the party\'s behalf, with the party recorded', async () => {
      const r = await capture(document([observe('SIGNED-1', { 'example:note': 'x' })]), tokens.mfg);
      const done = await job(r.headers.get('Location'));
      const entry = await h.api('GET', `/v1/entries/${done.events[0].index}`, undefined, '');
      const parsed = parseCaptureEntry(JSON.parse(Buffer.from(decodeBase64(entry.body.bytes)!).toString('utf8')));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.value).toMatchObject({ v: 1, party: MFG, captureID: r.headers.get('Location')!.split('/').pop(), context: CONTEXT });
      expect(parsed.value.event).toEqual(observe('SIGNED-1', { 'example:note': 'x' }));
      expect(verifyCaptureEntry(parsed.value, h.ledger.signer.publicKey).ok).toBe(true);
      expect(verifyCaptureEntry({ ...parsed.value, party: DIST }, h.ledger.signer.publicKey).ok).toBe(false);
    });
  });

  describe('when a document is not valid EPCIS 2.0', () => {
    it.each(invalid)('refuses $name with a ValidationException naming the problem, appending nothing', async ({ name, doc }) => {
      const before = await h.ledger.store.treeSize();
      const r = await capture(doc, tokens.mfg);
      expect(r.status).toBe(400);
      expect(r.headers.get('Content-Type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({ type: 'epcisException:ValidationException', status: 400, code: 'VALIDATION_FAILED' });
      expect(INVALID_PROBLEMS[name], `no expectation for ${name}`).toBeDefined();
      expect(r.body.detail).toContain(INVALID_PROBLEMS[name]);
      expect(r.body.errors[0].pointer).toMatch(/^\/|^$/);
      expect(await h.ledger.store.treeSize()).toBe(before);
    });

    it('covers every OpenEPCIS invalid capture document', () => {
      expect(invalid.map((i) => i.name).sort()).toEqual(Object.keys(INVALID_PROBLEMS).sort());
    });

    it('refuses a body that is not JSON, a bare event and an unknown GS1-Capture-Error-Behaviour', async () => {
      expect((await capture('{"type":', tokens.mfg)).body).toMatchObject({ status: 400, type: 'epcisException:ValidationException' });
      expect((await capture(observe('BARE'), tokens.mfg)).body.detail).toContain('EPCISDocument');
      const all = await capture(document([observe('HDR')]), tokens.mfg, { 'GS1-Capture-Error-Behaviour': 'all' });
      expect(all.status).toBe(400);
    });
  });

  describe('with GS1-Capture-Error-Behaviour', () => {
    const mixed = () => document([observe('MIX-1'), observe('MIX-2', { bizStep: 'transforming' }), observe('MIX-3')]);

    it('rollback (the default) refuses the whole document when one event is invalid', async () => {
      const before = await h.ledger.store.treeSize();
      const r = await capture(mixed(), tokens.mfg, { 'GS1-Capture-Error-Behaviour': 'rollback' });
      expect(r.status).toBe(400);
      expect(r.body.detail).toContain('/epcisBody/eventList/1/bizStep');
      expect(await h.ledger.store.treeSize()).toBe(before);
    });

    it('proceed captures the valid events and reports the invalid one in the job', async () => {
      const before = await h.ledger.store.treeSize();
      const r = await capture(mixed(), tokens.mfg, { 'GS1-Capture-Error-Behaviour': 'proceed' });
      expect(r.status).toBe(202);
      const done = await job(r.headers.get('Location'));
      expect(done).toMatchObject({ running: false, success: false, captureErrorBehaviour: 'proceed', eventCount: 3 });
      expect(done.events.map((e: { position: number }) => e.position)).toEqual([0, 2]);
      expect(done.errors[0]).toMatchObject({ type: 'epcisException:ValidationException', pointer: '/epcisBody/eventList/1/bizStep' });
      expect(await h.ledger.store.treeSize()).toBe(before + 2);
    });
  });

  describe('when an event holds a value the store cannot keep', () => {
    it('refuses it with the pointer of the string (U+0000), instead of failing the capture job', async () => {
      const before = await h.ledger.store.treeSize();
      const r = await capture(document([observe('NUL-1'), observe('NUL-2', { action: 'ADD', bizStep: 'commissioning', ilmd: { 'cbvmda:lotNumber': 'L\u0000T' } })]), tokens.mfg);
      expect(r.status).toBe(400);
      expect(r.body.detail).toContain('/epcisBody/eventList/1/ilmd/cbvmda:lotNumber');
      expect(await h.ledger.store.treeSize()).toBe(before);
    });

    it('refuses an eventTime no store can keep (year 0000) with its pointer, instead of failing the capture job', async () => {
      const before = await h.ledger.store.treeSize();
      const r = await capture(document([observe('YEAR0-1'), observe('YEAR0-2', { eventTime: '0000-01-01T00:00:00Z' })]), tokens.mfg);
      expect(r.status).toBe(400);
      expect(r.body.detail).toContain('/epcisBody/eventList/1/eventTime');
      expect(await h.ledger.store.treeSize()).toBe(before);
    });
  });

  describe('when a capture is over the limits', () => {
    it('answers 413 CaptureLimitExceededException with GS1-EPCIS-Capture-Limit beyond 500 events', async () => {
      const events = Array.from({ length: 501 }, (_, i) => observe(`LIM-${i}`));
      const r = await capture(document(events), tokens.mfg);
      expect(r.status).toBe(413);
      expect(r.headers.get('GS1-EPCIS-Capture-Limit')).toBe('500');
      expect(r.body).toMatchObject({ type: 'epcisException:CaptureLimitExceededException', code: 'CAPTURE_LIMIT_EXCEEDED' });
    });

    it('answers 413 with GS1-EPCIS-Capture-File-Size-Limit beyond 4 MiB', async () => {
      const r = await capture(document([observe('BIG', { 'example:padding': 'x'.repeat(4 * 1024 * 1024) })]), tokens.mfg);
      expect(r.status).toBe(413);
      expect(r.headers.get('GS1-EPCIS-Capture-File-Size-Limit')).toBe(String(4 * 1024 * 1024));
      expect(r.body.type).toBe('epcisException:CaptureLimitExceededException');
    });

    it('answers 415 to a body that is not JSON-LD', async () => {
      const r = await capture(document([observe('XML')]), tokens.mfg, { 'Content-Type': 'application/xml' });
      expect(r.status).toBe(415);
      expect(r.body.type).toBe('epcisException:UnsupportedMediaTypeException');
    });
  });

  describe('who may capture', () => {
    it('needs a token (401 SecurityException) and a party that handles goods or the admin (403)', async () => {
      const none = await fetch(`${h.ledger.httpUrl}/epcis/capture`, { method: 'POST', body: '{}' });
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ type: 'epcisException:SecurityException', code: 'UNAUTHENTICATED' });
      expect((await capture(document([observe('R')]), 'not-a-token-0123456789')).status).toBe(401);
      expect((await capture(document([observe('R')]), tokens.reg)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    });

    it('lets the admin capture anywhere: signed as captured by admin, custody with the party owning the location', async () => {
      const dock = `https://id.gs1.org/414/${DIST}/254/dock`;
      const r = await capture(document([observe('ADM1', { readPoint: { id: dock }, bizLocation: { id: dock } }), observe('ADM2')]), h.adminToken);
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      const done = await job(r.headers.get('Location'), h.adminToken);
      expect(done).toMatchObject({ success: true, events: [{ status: 'accepted' }, { status: 'accepted' }] });
      const [atDock, nowhere] = done.events as { index: number }[];
      const entry = await h.api('GET', `/v1/entries/${atDock!.index}`);
      expect(entry.body.entry).toMatchObject({ v: 1, party: 'admin', captureID: expect.any(String) });
      const recorded = await h.ledger.sql.query('SELECT idx, party FROM entries WHERE idx = ANY($1::bigint[]) ORDER BY idx', [[atDock!.index, nowhere!.index]]);
      expect(recorded.map((x) => x.party)).toEqual([DIST, null]);
      // The distributor sees the event captured at its dock; the admin's job is not another party's.
      expect((await query({ EQ_bizStep: 'inspecting', MATCH_epc: 'urn:epc:id:sgtin:952000.1012345.ADM1' }, tokens.dist)).body.epcisBody.queryResults.resultsBody.eventList).toHaveLength(1);
      expect((await h.api('GET', r.headers.get('Location')!, undefined, tokens.dist)).status).toBe(403);
    });

    it('refuses events at a location registered to another party', async () => {
      const r = await capture(document([observe('LOC', { readPoint: { id: `https://id.gs1.org/414/${DIST}/254/dock` } })]), tokens.mfg);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ type: 'epcisException:SecurityException', code: 'FORBIDDEN' });
      expect(r.body.detail).toContain(DIST);
      const own = await capture(document([observe('LOC', { readPoint: { id: `https://id.gs1.org/414/${DIST}/254/dock` } })]), tokens.dist);
      expect(own.status).toBe(202);
      expect((await job(own.headers.get('Location'), tokens.dist)).success).toBe(true);
    });

    it('shows a capture job to its party and a regulator, not to another party', async () => {
      const r = await capture(document([observe('JOB')]), tokens.mfg);
      const location = r.headers.get('Location')!;
      await h.ledger.capture.drain();
      expect((await h.api('GET', location, undefined, tokens.reg)).status).toBe(200);
      expect((await h.api('GET', location, undefined, tokens.dist)).body).toMatchObject({ status: 403, type: 'epcisException:SecurityException' });
      expect((await h.api('GET', '/epcis/capture/no-such-job', undefined, tokens.mfg)).body).toMatchObject({
        status: 404,
        type: 'epcisException:NoSuchNameException',
      });
    });
  });

  describe('when the ledger stops while a job runs', () => {
    it('reports the job failed after the restart, telling the client what to do', async () => {
      await h.ledger.sql.query(
        `INSERT INTO capture_jobs (capture_id, party, token_id, behaviour, event_count, running, success, errors, outcomes)
         VALUES ('cut-off', $1, 1, 'rollback', 1, true, true, '[]', '[]')`,
        [MFG],
      );
      await h.restart();
      const r = await h.api('GET', '/epcis/capture/cut-off', undefined, tokens.mfg);
      expect(r.body).toMatchObject({ running: false, success: false, errors: [{ type: 'epcisException:ImplementationException' }] });
      expect(r.body.errors[0].detail).toContain('capture the document again');
    });
  });

  describe('npm run audit', () => {
    it('re-verifies the ledger signature of every capture entry', async () => {
      await h.ledger.custody.drain();
      await h.ledger.stop();
      let stdout: string;
      try {
        ({ stdout } = await run('npx', ['tsx', 'server/cli/main.ts', 'audit'], {
          env: { ...process.env, PEDIGREE_DATA_DIR: h.dataDir, PEDIGREE_DATABASE_URL: h.config.databaseUrl ?? '' },
        }));
      } catch (e) {
        stdout = (e as { stdout: string }).stdout;
      }
      const m = /^OK: (\d+) entries, (\d+) signatures/m.exec(stdout);
      expect(m, stdout).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(50);
      expect(m![2]).toBe(m![1]);
    });
  });
});
