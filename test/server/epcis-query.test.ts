// EPCIS 2.0 queries (REST binding GET /epcis/events) over a supply chain recorded by gateways: every supported
// parameter, ordering, limits and pagination, RFC 7807 epcisException errors, schema-valid query documents, and
// visibility — what each party, its manufacturer and a regulator see (DESIGN.md §9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDocumentEventHashIds, documentEvents } from '../../schemas/epcis/document-hash.js';
import { validateEpcisDocument } from '../../schemas/epcis/validate.js';
import { digitalLinkToEpcUri } from '../../schemas/gs1/epc-uri.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { GTIN, at, events, gln, openSite, record, settle, sscc, unit, type Site } from '../harness/custody-sites.js';

const stores = process.env.PEDIGREE_TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
const suffix = Math.random().toString(36).slice(2, 8);
const PREFIX = '9506000'; // GTIN 09506000134352 = indicator 0 ‖ 9506000134352
const CONTAINER = sscc(1);
const CONTAINER_DL = `https://id.gs1.org/00/${CONTAINER}`;

type Body = Record<string, any>;

function urn(dl: string): string {
  const r = digitalLinkToEpcUri(dl, PREFIX.length);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe.each(stores)('EPCIS queries on %s', (store) => {
  let h: LedgerHarness;
  let mfg: Site;
  let dist: Site;
  let ph1: Site;
  let ph2: Site;
  let mfg2: Site;
  let regulator: string;
  /** Entry index of each recorded step, by name. */
  const ix: Record<string, number> = {};

  beforeAll(async () => {
    h = await startLedgerHarness({ store });
    mfg = await openSite(h, { name: 'mfg', gln: gln('952123450000'), role: 'manufacturer', suffix });
    dist = await openSite(h, { name: 'dist', gln: gln('952123450010'), role: 'distributor', suffix });
    ph1 = await openSite(h, { name: 'ph1', gln: gln('952123450020'), role: 'pharmacy', suffix });
    ph2 = await openSite(h, { name: 'ph2', gln: gln('952123450030'), role: 'pharmacy', suffix });
    mfg2 = await openSite(h, { name: 'mfg2', gln: gln('952123450040'), role: 'manufacturer', suffix });
    const reg = gln('952123450090');
    expect((await h.api('POST', '/v1/parties', { gln: reg, name: 'Agency', role: 'regulator' })).status).toBe(201);
    regulator = (await h.api('POST', '/v1/tokens', { party: reg, role: 'regulator' })).body.token;
    expect((await h.api('POST', `/v1/parties/${mfg.gln}/company-prefixes`, { prefix: PREFIX })).status).toBe(201);

    const steps: [string, Site, object][] = [
      ['commissionA', mfg, events.commission(mfg, ['A1', 'A2', 'A3'], at(0), { lot: 'L1' })],
      ['commissionB', mfg, events.commission(mfg, ['B1'], at(0.5), { lot: 'L2' })],
      ['pack', mfg, events.pack(mfg, CONTAINER, { serials: ['A1', 'A2'] }, at(1))],
      ['shipContainer', mfg, events.ship(mfg, { ssccs: [CONTAINER] }, dist, at(2))],
      ['receiveContainer', dist, events.receive(dist, { ssccs: [CONTAINER] }, mfg, at(3))],
      ['unpack', dist, events.unpack(dist, CONTAINER, at(4), { serials: ['A1', 'A2'] })],
      ['shipA1', dist, events.ship(dist, { serials: ['A1'] }, ph1, at(5))],
      ['receiveA1', ph1, events.receive(ph1, { serials: ['A1'] }, dist, at(6))],
      ['dispenseA1', ph1, events.dispense(ph1, ['A1'], at(7))],
      ['shipA3', mfg, events.ship(mfg, { serials: ['A3'] }, ph2, at(8))],
      ['receiveA3', ph2, events.receive(ph2, { serials: ['A3'] }, mfg, at(9))],
    ];
    for (const [name, site, event] of steps) ix[name] = (await record(h, site, [event]))[0]!;
    await settle(h);
  });
  afterAll(async () => {
    for (const s of [mfg, dist, ph1, ph2, mfg2]) await s?.client.close();
    await h?.stop();
  });

  async function query(params: Record<string, string> | string, token = regulator) {
    const qs = typeof params === 'string' ? params : new URLSearchParams(params).toString();
    const r = await h.api('GET', `/epcis/events?${qs}`, undefined, token);
    if (r.status === 200) {
      const valid = validateEpcisDocument(r.body);
      expect(valid.ok ? true : valid.message).toBe(true);
    }
    return r;
  }

  /** The entry indexes of the events answered, in answer order (mapped back through the steps' eventIDs). */
  async function indexes(params: Record<string, string> | string, token = regulator): Promise<number[]> {
    const r = await query(params, token);
    expect(r.status, r.text).toBe(200);
    const ids = (documentEvents(r.body) as Body[]).map((e) => e.eventID as string);
    const byId = await eventIdIndex();
    const out: number[] = [];
    for (const id of ids) {
      if (!byId.has(id)) {
        const found = await h.api('GET', `/v1/entries?eventID=${encodeURIComponent(id)}`, undefined, '');
        byId.set(id, found.body.entries[0]?.index ?? -1);
      }
      out.push(byId.get(id)!);
    }
    return out;
  }

  let idIndex: Map<string, number> | undefined;
  async function eventIdIndex(): Promise<Map<string, number>> {
    if (idIndex) return idIndex;
    idIndex = new Map();
    for (const index of Object.values(ix)) {
      const e = await h.api('GET', `/v1/entries/${index}`, undefined, '');
      idIndex.set(e.body.entry.event.eventID, index);
    }
    return idIndex;
  }

  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const named = (...names: string[]) => sorted(names.map((n) => ix[n]!));

  describe('with each query parameter', () => {
    it('answers every event of the log to a regulator with no parameter, in log order, each with recordTime and eventID', async () => {
      const r = await query({});
      const list = documentEvents(r.body) as Body[];
      expect(list).toHaveLength(Object.keys(ix).length);
      for (const e of list) expect(e).toMatchObject({ recordTime: expect.any(String), eventID: expect.stringMatching(/^ni:\/\/\/sha-256;/) });
      expect(await indexes({})).toEqual(sorted(Object.values(ix)));
      // The same event hash IDs as recorded (CBV 2.0 §8.9).
      const hashed = computeDocumentEventHashIds(r.body);
      expect(hashed.ok && hashed.value.map((x) => x.eventHashId)).toEqual(list.map((e) => e.eventID));
    });

    it('eventType', async () => {
      expect(sorted(await indexes({ eventType: 'AggregationEvent' }))).toEqual(named('pack', 'unpack'));
      expect(await indexes({ eventType: 'TransformationEvent' })).toEqual([]);
    });

    it('GE_eventTime and LT_eventTime (a half-open window, any time zone)', async () => {
      expect(sorted(await indexes({ GE_eventTime: at(2), LT_eventTime: at(5) }))).toEqual(named('shipContainer', 'receiveContainer', 'unpack'));
      const plus2 = new Date(Date.parse(at(7))).toISOString().replace('T08:', 'T10:').replace('Z', '+02:00');
      expect(sorted(await indexes({ GE_eventTime: plus2 }))).toEqual(named('dispenseA1', 'shipA3', 'receiveA3'));
    });

    it('GE_recordTime and LT_recordTime', async () => {
      expect(await indexes({ LT_recordTime: '2000-01-01T00:00:00Z' })).toEqual([]);
      expect((await indexes({ GE_recordTime: '2000-01-01T00:00:00Z' })).length).toBe(Object.keys(ix).length);
      expect(await indexes({ GE_recordTime: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([]);
    });

    it('EQ_action', async () => {
      expect(sorted(await indexes({ EQ_action: 'ADD' }))).toEqual(named('commissionA', 'commissionB', 'pack'));
      expect(sorted(await indexes({ EQ_action: 'DELETE|ADD' }))).toEqual(named('commissionA', 'commissionB', 'pack', 'unpack'));
    });

    it('EQ_bizStep as a bare CBV word, a CBV Web URI or a CBV 1.x URN', async () => {
      const ships = named('shipContainer', 'shipA1', 'shipA3');
      expect(sorted(await indexes({ EQ_bizStep: 'shipping' }))).toEqual(ships);
      expect(sorted(await indexes({ EQ_bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping' }))).toEqual(ships);
      expect(sorted(await indexes({ EQ_bizStep: 'urn:epcglobal:cbv:bizstep:shipping' }))).toEqual(ships);
    });

    it('EQ_disposition', async () => {
      expect(sorted(await indexes({ EQ_disposition: 'in_transit' }))).toEqual(named('shipContainer', 'shipA1', 'shipA3'));
    });

    it('EQ_bizLocation as a Digital Link or an EPC URN, and WD_bizLocation with its sub-locations', async () => {
      const at1 = named('receiveA1', 'dispenseA1');
      const location = `https://id.gs1.org/414/${ph1.gln}/254/${ph1.ext}`;
      expect(sorted(await indexes({ EQ_bizLocation: location }))).toEqual(at1);
      expect(sorted(await indexes({ EQ_bizLocation: urn(location) }))).toEqual(at1);
      expect(sorted(await indexes({ WD_bizLocation: `https://id.gs1.org/414/${ph1.gln}` }))).toEqual(at1);
      expect(await indexes({ EQ_bizLocation: `https://id.gs1.org/414/${ph1.gln}` })).toEqual([]);
    });

    it('EQ_readPoint', async () => {
      expect(sorted(await indexes({ EQ_readPoint: `https://id.gs1.org/414/${dist.gln}/254/${dist.ext}` }))).toEqual(
        named('receiveContainer', 'unpack', 'shipA1'),
      );
    });

    it('MATCH_epc in epcList and childEPCs, as a Digital Link, an EPC URN or a class pattern', async () => {
      const a1 = named('commissionA', 'pack', 'unpack', 'shipA1', 'receiveA1', 'dispenseA1');
      expect(sorted(await indexes({ MATCH_epc: unit('A1') }))).toEqual(a1);
      expect(sorted(await indexes({ MATCH_epc: urn(unit('A1')) }))).toEqual(a1);
      expect(sorted(await indexes({ MATCH_epc: CONTAINER_DL }))).toEqual(named('shipContainer', 'receiveContainer'));
      const pattern = urn(`https://id.gs1.org/01/${GTIN}`); // urn:epc:idpat:sgtin:9506000.013435.*
      expect(pattern).toMatch(/^urn:epc:idpat:sgtin:.*\.\*$/);
      expect((await indexes({ MATCH_epc: pattern })).length).toBe(Object.keys(ix).length - 2);
    });

    it('MATCH_parentID and MATCH_anyEPC', async () => {
      expect(sorted(await indexes({ MATCH_parentID: CONTAINER_DL }))).toEqual(named('pack', 'unpack'));
      expect(sorted(await indexes({ MATCH_parentID: urn(CONTAINER_DL) }))).toEqual(named('pack', 'unpack'));
      expect(sorted(await indexes({ MATCH_anyEPC: urn(CONTAINER_DL) }))).toEqual(named('pack', 'shipContainer', 'receiveContainer', 'unpack'));
    });

    it('MATCH_epcClass in quantityList, as a class URN or a Digital Link', async () => {
      const lot = `https://id.gs1.org/01/${GTIN}/10/L1`;
      const doc = {
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2026-10-01T12:00:00Z',
        epcisBody: {
          eventList: [
            { type: 'ObjectEvent', eventTime: at(30), eventTimeZoneOffset: '+00:00', action: 'OBSERVE', quantityList: [{ epcClass: urn(lot), quantity: 12 }] },
          ],
        },
      };
      const res = await fetch(`${h.ledger.httpUrl}/epcis/capture`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${mfg.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(doc),
      });
      expect(res.status).toBe(202);
      await h.ledger.capture.drain();
      const byUrn = await query({ MATCH_epcClass: urn(lot) });
      expect((documentEvents(byUrn.body) as Body[]).map((e) => e.quantityList[0].quantity)).toEqual([12]);
      const byLink = await query({ MATCH_epcClass: lot });
      expect(documentEvents(byLink.body)).toHaveLength(1);
      expect(documentEvents((await query({ MATCH_epcClass: `https://id.gs1.org/01/${GTIN}/10/OTHER` })).body)).toHaveLength(0);
    });

    it('EQ_eventID', async () => {
      const ids = [...(await eventIdIndex()).entries()];
      const [first, second] = [ids[0]!, ids[1]!];
      expect(sorted(await indexes({ EQ_eventID: `${first[0]}|${second[0]}` }))).toEqual(sorted([first[1], second[1]]));
    });
  });

  describe('ordering, limits and pages', () => {
    it('orderBy eventTime, DESC by default and ASC on request; orderBy recordTime', async () => {
      const window = { LT_eventTime: at(20) };
      // Steps were recorded in eventTime order, one batch each: log order is eventTime order here.
      const byTime = sorted(Object.values(ix));
      expect(await indexes({ ...window, orderBy: 'eventTime', orderDirection: 'ASC' })).toEqual(byTime);
      expect(await indexes({ ...window, orderBy: 'eventTime' })).toEqual([...byTime].reverse());
      expect(await indexes({ ...window, orderBy: 'recordTime', orderDirection: 'ASC' })).toEqual(byTime);
      const times = (documentEvents((await query({ ...window, orderBy: 'eventTime', orderDirection: 'DESC' })).body) as Body[]).map((e) => Date.parse(e.eventTime));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('eventCountLimit keeps the first N in that order', async () => {
      expect(await indexes({ orderBy: 'eventTime', orderDirection: 'DESC', eventCountLimit: '2', LT_eventTime: at(20) })).toEqual([ix.receiveA3, ix.shipA3]);
    });

    it('maxEventCount raises QueryTooLargeException (413) when more events match', async () => {
      const r = await query({ maxEventCount: '3' });
      expect(r.status).toBe(413);
      expect(r.body).toMatchObject({ type: 'epcisException:QueryTooLargeException', status: 413, code: 'QUERY_TOO_LARGE' });
      expect((await query({ maxEventCount: '100' })).status).toBe(200);
    });

    it('pages with perPage and the nextPageToken of the Link header, every event once, in order', async () => {
      const orders: Record<string, string>[] = [{}, { orderBy: 'eventTime', orderDirection: 'ASC' }, { orderBy: 'recordTime' }];
      for (const order of orders) {
        const whole = await indexes({ ...order, LT_eventTime: at(20) });
        const paged: number[] = [];
        let path: string | null = `/epcis/events?${new URLSearchParams({ ...order, LT_eventTime: at(20), perPage: '3' }).toString()}`;
        let pages = 0;
        while (path) {
          const r = await h.api('GET', path, undefined, regulator);
          expect(r.status, r.text).toBe(200);
          expect(validateEpcisDocument(r.body).ok).toBe(true);
          const byId = await eventIdIndex();
          paged.push(...(documentEvents(r.body) as Body[]).map((e) => byId.get(e.eventID)!));
          const link = r.headers.get('Link');
          path = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
          pages++;
        }
        expect(paged).toEqual(whole);
        expect(pages).toBe(Math.ceil(whole.length / 3));
      }
    });

    it('refuses a nextPageToken from another query or another caller, or a forged one', async () => {
      const first = await query({ perPage: '2' });
      const token = new URLSearchParams(/^<[^?]+\?([^>]+)>/.exec(first.headers.get('Link')!)![1]!).get('nextPageToken')!;
      expect((await query({ perPage: '2', nextPageToken: token })).status).toBe(200);
      for (const r of [
        await query({ perPage: '2', EQ_action: 'ADD', nextPageToken: token }),
        await query({ perPage: '2', nextPageToken: token }, mfg.token),
        await query({ perPage: '2', nextPageToken: 'eyJmIjoiMCIsImsiOm51bGwsImkiOjAsIm4iOjB9' }),
      ]) {
        expect(r.body).toMatchObject({ status: 400, type: 'epcisException:QueryParameterException' });
      }
    });
  });

  describe('when a parameter is wrong', () => {
    it.each([
      ['an unknown parameter', 'EQ_userID=7'],
      ['an unsupported standard parameter', 'EQ_quantity=3'],
      ['an action that is not ADD, OBSERVE or DELETE', 'EQ_action=CREATE'],
      ['a time that is not RFC 3339', 'GE_eventTime=22-07-2026'],
      ['a time in year 0000, which no store holds', 'GE_eventTime=0000-01-01T00:00:00Z'],
      ['a time past 9999 in UTC', `LT_recordTime=${encodeURIComponent('9999-12-31T23:00:00-14:00')}`],
      ['a bizStep that is neither CBV nor a URI', 'EQ_bizStep=transforming'],
      ['a location that is not a URI', 'EQ_bizLocation=dock-1'],
      ['eventCountLimit without orderBy', 'eventCountLimit=2'],
      ['eventCountLimit with maxEventCount', 'orderBy=eventTime&eventCountLimit=2&maxEventCount=5'],
      ['orderBy an unsupported field', 'orderBy=bizStep'],
      ['an orderDirection that is not ASC or DESC', 'orderBy=eventTime&orderDirection=UP'],
      ['perPage 0', 'perPage=0'],
      ['an EPC pattern with a wildcard in the middle', 'MATCH_epc=urn:epc:idpat:sgtin:9506000.*.7'],
    ])('raises QueryParameterException (400) for %s', async (_what, qs) => {
      const r = await query(qs);
      expect(r.status).toBe(400);
      expect(r.headers.get('Content-Type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({ type: 'epcisException:QueryParameterException', status: 400, code: 'QUERY_PARAMETER_INVALID' });
    });

    it('needs a token: 401 SecurityException', async () => {
      const r = await h.api('GET', '/epcis/events', undefined, '');
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ type: 'epcisException:SecurityException', code: 'UNAUTHENTICATED' });
    });
  });

  describe('visibility (DESIGN.md §9)', () => {
    const timeline = { LT_eventTime: at(20) };

    it('a pharmacy sees the events it was part of and the whole pedigree of the units it has held, nothing else', async () => {
      expect(sorted(await indexes(timeline, ph1.token))).toEqual(
        named('commissionA', 'pack', 'shipContainer', 'receiveContainer', 'unpack', 'shipA1', 'receiveA1', 'dispenseA1'),
      );
      expect(sorted(await indexes(timeline, ph2.token))).toEqual(named('commissionA', 'shipA3', 'receiveA3'));
    });

    it('a pharmacy sees a shipment addressed to it before it receives it', async () => {
      ix.shipA2 = (await record(h, dist, [events.ship(dist, { serials: ['A2'] }, ph2, at(10))]))[0]!;
      expect(await indexes({ MATCH_epc: unit('A2'), GE_eventTime: at(10) }, ph2.token)).toEqual([ix.shipA2]);
      expect(await indexes({ MATCH_epc: unit('A2'), GE_eventTime: at(10) }, ph1.token)).toEqual([]);
    });

    it('a distributor sees what it handled, including where its units went after it', async () => {
      expect(sorted(await indexes(timeline, dist.token))).toEqual(
        named('commissionA', 'pack', 'shipContainer', 'receiveContainer', 'unpack', 'shipA1', 'receiveA1', 'dispenseA1', 'shipA2'),
      );
    });

    it('a manufacturer sees the whole pedigree of its own GTINs; one without the company prefix sees nothing of them', async () => {
      expect(sorted(await indexes(timeline, mfg.token))).toEqual(sorted(Object.values(ix)));
      expect(await indexes(timeline, mfg2.token)).toEqual([]);
    });

    it('a regulator sees everything, and each of its queries is recorded for the admins', async () => {
      const target = `/epcis/events?MATCH_epc=${encodeURIComponent(unit('A3'))}`;
      expect((await h.api('GET', target, undefined, regulator)).status).toBe(200);
      const log = await h.api('GET', '/v1/audit/regulator-queries?limit=5');
      expect(log.status).toBe(200);
      expect(log.body.queries[0]).toMatchObject({ method: 'GET', target, status: 200, party: gln('952123450090'), at: expect.any(String) });
      expect((await h.api('GET', '/v1/audit/regulator-queries', undefined, regulator)).status).toBe(403);
    });

    it('applies the same rule to units, containers and verification', async () => {
      const a1 = `/v1/units/01/${GTIN}/21/A1`;
      expect((await h.api('GET', a1, undefined, ph1.token)).status).toBe(200);
      expect((await h.api('GET', a1, undefined, dist.token)).status).toBe(200);
      expect((await h.api('GET', a1, undefined, mfg.token)).status).toBe(200);
      expect((await h.api('GET', a1, undefined, regulator)).status).toBe(200);
      expect((await h.api('GET', a1, undefined, ph2.token)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect((await h.api('GET', a1, undefined, mfg2.token)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      const container = `/v1/containers/00/${CONTAINER}`;
      expect((await h.api('GET', container, undefined, dist.token)).status).toBe(200);
      expect((await h.api('GET', container, undefined, ph2.token)).status).toBe(403);
      // Verification is open to any pharmacy or distributor; a manufacturer verifies its own GTINs only.
      const verify = `/v1/verify/01/${GTIN}/21/A1`;
      expect((await h.api('GET', verify, undefined, ph2.token)).status).toBe(200);
      expect((await h.api('GET', `/v1/verify?scan=${encodeURIComponent(unit('A1'))}`, undefined, ph2.token)).status).toBe(200);
      expect((await h.api('GET', verify, undefined, mfg.token)).status).toBe(200);
      expect((await h.api('GET', verify, undefined, mfg2.token)).status).toBe(403);
      expect((await h.api('GET', `/v1/verify?scan=${encodeURIComponent(unit('A1'))}`, undefined, mfg2.token)).status).toBe(403);
    });

    it('shows an alert to the parties it concerns and the GTIN owner; lists only a party\'s own alerts', async () => {
      // ph1 dispenses A3, which ph2 holds: a clone or diversion signal concerning both sites.
      await record(h, ph1, [events.dispense(ph1, ['A3'], at(12))]);
      const all = await h.api('GET', `/v1/alerts?gtin=${GTIN}`);
      const alert = all.body.alerts.find((a: Body) => a.serial === 'A3');
      expect(alert, JSON.stringify(all.body)).toBeDefined();
      const outsider = [ph1, ph2, dist].find((s) => !alert.sites.includes(s.gln))!;
      const insider = [ph1, ph2, dist].find((s) => alert.sites.includes(s.gln))!;
      expect((await h.api('GET', `/v1/alerts/${alert.id}`, undefined, insider.token)).status).toBe(200);
      expect((await h.api('GET', `/v1/alerts/${alert.id}`, undefined, mfg.token)).status).toBe(200);
      expect((await h.api('GET', `/v1/alerts/${alert.id}`, undefined, outsider.token)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect((await h.api('GET', '/v1/alerts', undefined, insider.token)).status).toBe(403);
      expect((await h.api('GET', `/v1/alerts?site=${insider.gln}`, undefined, insider.token)).status).toBe(200);
      expect((await h.api('GET', `/v1/alerts?site=${insider.gln}`, undefined, outsider.token)).status).toBe(403);
      expect((await h.api('GET', `/v1/alerts?gtin=${GTIN}`, undefined, mfg.token)).status).toBe(200);
      expect((await h.api('GET', `/v1/alerts?gtin=${GTIN}`, undefined, mfg2.token)).status).toBe(403);
      expect((await h.api('GET', '/v1/alerts', undefined, regulator)).status).toBe(200);
    });
  });
});
