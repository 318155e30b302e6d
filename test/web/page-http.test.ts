// The routes behind the web pages, over HTTP without a browser (issue 7): the ledger view and recall progress JSON
// routes with their role checks, and the pages' sessions, CSRF refusals, security headers, live fragments, the CSV
// proxy and the browser bundle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GTIN, at, events, gln, openSite, record, type Site } from '../harness/custody-sites.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';

const suffix = Math.random().toString(36).slice(2, 8);

describe('routes behind the web pages', { timeout: 60_000 }, () => {
  let h: LedgerHarness;
  let base: string;
  let mfg: Site;
  let ph1: Site;
  let ph2: Site;
  let regulatorToken: string;
  let recallId: string;

  beforeAll(async () => {
    h = await startLedgerHarness();
    base = h.ledger.httpUrl;
    mfg = await openSite(h, { name: 'acme', gln: gln('952123480000'), role: 'manufacturer', suffix });
    ph1 = await openSite(h, { name: 'ph1', gln: gln('952123480020'), role: 'pharmacy', suffix });
    ph2 = await openSite(h, { name: 'ph2', gln: gln('952123480030'), role: 'pharmacy', suffix });
    expect((await h.api('POST', `/v1/parties/${mfg.gln}/company-prefixes`, { prefix: '9506000' })).status).toBe(201);
    const REGULATOR = gln('952123480090');
    expect((await h.api('POST', '/v1/parties', { gln: REGULATOR, name: 'Regulator', role: 'regulator' })).status).toBe(201);
    regulatorToken = (await h.api('POST', '/v1/tokens', { party: REGULATOR, role: 'regulator' })).body.token;
    await record(h, mfg, [events.commission(mfg, ['P1', 'P2', 'P3'], at(0), { lot: 'L1' })]);
    await record(h, mfg, [events.ship(mfg, { serials: ['P1', 'P2', 'P3'] }, ph1, at(1))]);
    await record(h, ph1, [events.receive(ph1, { serials: ['P1', 'P2', 'P3'] }, mfg, at(2))]);
    await record(h, ph1, [events.dispense(ph1, ['P3'], at(3))]);
    const r = await h.api('POST', '/v1/recalls', { scope: { gtin: GTIN, lots: ['L1'] }, class: 'II', reason: 'label misprint' }, mfg.token);
    expect(r.status, r.text).toBe(201);
    recallId = r.body.id;
  }, 120_000);

  afterAll(async () => {
    for (const s of [mfg, ph1, ph2]) await s?.client.close();
    await h?.stop();
  }, 60_000);

  /** Signs in like the sign-in form does; returns the session cookie. */
  async function session(token: string): Promise<string> {
    const res = await fetch(`${base}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, next: '/' }),
    });
    expect(res.status).toBe(303);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }
  const page = (path: string, cookie: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { redirect: 'manual', ...init, headers: { Cookie: cookie, ...(init.headers as Record<string, string>) } });

  describe('GET /v1/ledger/entries', () => {
    it('pages through the log newest first', async () => {
      const size = await h.ledger.store.treeSize();
      const first = await h.api('GET', '/v1/ledger/entries?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.size).toBe(size);
      expect(first.body.entries.map((e: { index: number }) => e.index)).toEqual([size - 1, size - 2]);
      expect(first.body.next).toBe(size - 2);
      const older = await h.api('GET', `/v1/ledger/entries?limit=2&before=${first.body.next}`);
      expect(older.body.entries.map((e: { index: number }) => e.index)).toEqual([size - 3, size - 4]);
      const last = await h.api('GET', '/v1/ledger/entries?limit=200&before=2');
      expect(last.body).toMatchObject({ next: null, entries: [{ index: 1 }, { index: 0 }] });
    });
    it('shows an admin or regulator who recorded each entry and what it was, a party only its index, kind, time and leaf hash', async () => {
      const full = (await h.api('GET', '/v1/ledger/entries?limit=50', undefined, regulatorToken)).body.entries;
      expect(full.find((e: { detail: { bizStep: string } | null }) => e.detail?.bizStep === 'dispensing').detail).toMatchObject({ device: ph1.device.device, type: 'ObjectEvent' });
      const party = (await h.api('GET', '/v1/ledger/entries?limit=50', undefined, ph2.token)).body.entries;
      expect(party.every((e: { detail: unknown; leafHash: string }) => e.detail === null && /^[A-Za-z0-9+/]{43}=$/.test(e.leafHash))).toBe(true);
    });
    it('refuses a malformed cursor and a missing token', async () => {
      expect((await h.api('GET', '/v1/ledger/entries?before=-1')).status).toBe(400);
      expect((await h.api('GET', '/v1/ledger/entries', undefined, '')).status).toBe(401);
    });
  });

  describe('GET /v1/ledger/devices', () => {
    it('lists every device for a regulator and only its own for a party', async () => {
      const all = (await h.api('GET', '/v1/ledger/devices', undefined, regulatorToken)).body.devices.map((d: { device: string }) => d.device);
      expect(all.sort()).toEqual([mfg.device.device, ph1.device.device, ph2.device.device].sort());
      const own = (await h.api('GET', '/v1/ledger/devices', undefined, ph1.token)).body.devices;
      expect(own).toEqual([expect.objectContaining({ device: ph1.device.device, status: 'active', party: ph1.gln })]);
      expect((await h.api('GET', '/v1/ledger/devices', undefined, '')).status).toBe(401);
    });
  });

  describe('GET /v1/recalls/{id}/progress', () => {
    it('gives the manufacturer the accounted-vs-outstanding series from the issue', async () => {
      const p = await h.api('GET', `/v1/recalls/${recallId}/progress`, undefined, mfg.token);
      expect(p.status).toBe(200);
      expect(p.body).toMatchObject({ recall: recallId, total: 3 });
      // P3 was dispensed before the recall: accounted for from the start; P1, P2 are still in stock.
      expect(p.body.points[0]).toMatchObject({ accounted: 1, outstanding: 2 });
      expect(p.body.points.at(-1)).toMatchObject({ accounted: 1, outstanding: 2 });
    });
    it('refuses a pharmacy (FORBIDDEN) and an unknown recall (RECALL_NOT_FOUND)', async () => {
      expect((await h.api('GET', `/v1/recalls/${recallId}/progress`, undefined, ph1.token)).body.code).toBe('FORBIDDEN');
      expect((await h.api('GET', '/v1/recalls/rcl-0000000000000000/progress', undefined, mfg.token)).body.code).toBe('RECALL_NOT_FOUND');
      expect((await h.api('GET', '/v1/recalls/nope/progress', undefined, mfg.token)).status).toBe(404);
    });
  });

  describe('sessions', () => {
    it('sends a request without a session to sign in, remembering where it was going', async () => {
      const res = await fetch(`${base}/recalls?x=1`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/sign-in?next=%2Frecalls%3Fx%3D1');
    });
    it('sets an HttpOnly, SameSite=Strict session cookie that holds no token, and never redirects off-site', async () => {
      const res = await fetch(`${base}/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: ph1.token, next: '//evil.example/' }),
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^pedigree_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
      expect(cookie).not.toContain(ph1.token);
    });
    it('refuses a sign-in form posted from another site or with no origin at all', async () => {
      for (const headers of [{ Origin: 'https://evil.example' }, {}] as Record<string, string>[]) {
        const res = await fetch(`${base}/sign-in`, {
          method: 'POST',
          redirect: 'manual',
          headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: ph1.token }),
        });
        expect(res.status).toBe(400);
        expect(res.headers.get('set-cookie')).toBeNull();
      }
    });
    it('ends the session when its token is revoked', async () => {
      const t = await h.api('POST', '/v1/tokens', { party: ph2.gln, role: 'pharmacy' });
      const cookie = await session(t.body.token);
      expect((await page('/alerts', cookie)).status).toBe(200);
      expect((await h.api('POST', `/v1/tokens/${t.body.id}/revoke`)).status).toBe(200);
      const after = await page('/alerts', cookie);
      expect(after.status).toBe(303);
      expect(after.headers.get('location')).toBe('/sign-in?notice=session-ended');
      expect((await page('/alerts', cookie)).headers.get('location')).toBe('/sign-in?next=%2Falerts');
    });
    it('tells a live region whose session ended, instead of redirecting it', async () => {
      const res = await page('/alert-rows', 'pedigree_session=nope', { headers: { 'X-Pedigree-Live': '1' } });
      expect(res.status).toBe(204);
      expect(res.headers.get('x-pedigree-session')).toBe('ended');
    });
  });

  describe('pages', () => {
    it('are served with a strict content security policy and are never cached', async () => {
      const cookie = await session(ph1.token);
      const res = await page('/', cookie);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toMatch(/^<!doctype html><html lang="en">/);
    });
    it('refuse an alert action posted from another site', async () => {
      await h.api('GET', `/v1/verify/01/${GTIN}/21/UNKNOWN-9`, undefined, ph1.token);
      const alert = (await h.api('GET', `/v1/alerts?site=${ph1.gln}&code=UNKNOWN_SERIAL`, undefined, ph1.token)).body.alerts.find((a: { serial: string }) => a.serial === 'UNKNOWN-9');
      const cookie = await session(ph1.token);
      const res = await page(`/alerts/${alert.id}/act`, cookie, {
        method: 'POST',
        headers: { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ action: 'resolve', note: 'forged' }),
      });
      expect(await res.text()).toContain('must be sent from the Pedigree page itself');
      expect((await h.api('GET', `/v1/alerts/${alert.id}`)).body.status).toBe('open');
    });
    it('answer through the API with the session’s token, so a regulator’s page views are in the regulator query record', async () => {
      const cookie = await session(regulatorToken);
      expect((await page(`/?scan=${encodeURIComponent(`https://id.gs1.org/01/${GTIN}/21/P1`)}`, cookie)).status).toBe(200);
      const q = await h.api('GET', '/v1/audit/regulator-queries?limit=20');
      expect(q.body.queries.map((x: { target: string }) => x.target)).toContain(`/v1/verify?scan=${encodeURIComponent(`https://id.gs1.org/01/${GTIN}/21/P1`)}`);
    });
    it('download the recall report as CSV through the session, for those who may read it', async () => {
      const csv = await page(`/recalls/${recallId}/report.csv`, await session(mfg.token));
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="${recallId}.csv"`);
      expect((await csv.text()).split('\r\n')[0]).toBe('recall,epc,gtin,serial,lot,expiry,status,custodian,destination,recalled');
      expect((await page(`/recalls/${recallId}/report.csv`, await session(ph1.token))).status).toBe(403);
    });
  });

  describe('the browser bundle', () => {
    it('is one ES module with the signing code for the browser, no Node built-ins, revalidated by ETag', async () => {
      const res = await fetch(`${base}/assets/app.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const js = await res.text();
      expect(js).not.toMatch(/\bnode:|require\(/);
      expect(js).toContain('/v1/verifier-key');
      const again = await fetch(`${base}/assets/app.js`, { headers: { 'If-None-Match': res.headers.get('etag')! } });
      expect(again.status).toBe(304);
      expect((await fetch(`${base}/assets/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    });
  });
});
