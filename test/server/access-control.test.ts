// Access control (DESIGN.md §9): every route the app exposes × every kind of caller — no token, an unknown or revoked
// token, and a token of each role — answers 401 / 403 problem+json with a code, or lets the caller through. Plus the
// token lifecycle (admin API and CLI), company prefixes, and the regulator query record.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { computeCheckDigit } from '../../schemas/gs1/check-digit.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';

const run = promisify(execFile);
const gln = (stem: string) => stem + computeCheckDigit(stem);
const MFG = gln('952000200000');
const DIST = gln('952000200010');
const PHARMACY = gln('952000200020');
const REGULATOR = gln('952000200090');
const GTIN = '09506000134352'; // under the manufacturer's prefix 9506000
const SERIAL = 'AC-1';
const SSCC = (() => {
  const stem = '09506000000000001';
  return stem + computeCheckDigit(stem);
})();
const UNIT_DL = `https://id.gs1.org/01/${GTIN}/21/${SERIAL}`;

const CALLERS = ['none', 'unknown', 'revoked', 'admin', 'manufacturer', 'distributor', 'pharmacy', 'regulator'] as const;
type Caller = (typeof CALLERS)[number];
type Role = Exclude<Caller, 'none' | 'unknown' | 'revoked'>;

const ALL_ROLES: readonly Role[] = ['admin', 'manufacturer', 'distributor', 'pharmacy', 'regulator'];
const ADMIN: readonly Role[] = ['admin'];

interface RouteCase {
  /** The route as the app registers it. */
  readonly route: string;
  /** A concrete request for it. */
  readonly path: string;
  readonly body?: unknown;
  /** `public`: no token needed (a bad one on /v1 is still a 401); `open`: not even that (no authentication at all). */
  readonly allowed: readonly Role[] | 'public' | 'open';
  /** The code of a 403 when not the default FORBIDDEN. */
  readonly forbiddenCode?: Partial<Record<Role, string>>;
}

const VERIFIERS: readonly Role[] = ['admin', 'manufacturer', 'distributor', 'pharmacy', 'regulator'];
const CAPTURE_DOC = { type: 'EPCISDocument' };

/** Every route of the app, with who may call it (the manufacturer owns the GTIN and SSCC used). */
const ROUTES: readonly RouteCase[] = [
  { route: 'GET /healthz', path: '/healthz', allowed: 'open' },
  { route: 'GET /metrics', path: '/metrics', allowed: 'open' },
  { route: 'GET /v1/checkpoint', path: '/v1/checkpoint', allowed: 'public' },
  { route: 'GET /v1/verifier-key', path: '/v1/verifier-key', allowed: 'public' },
  { route: 'GET /v1/entries/:index', path: '/v1/entries/0', allowed: 'public' },
  { route: 'GET /v1/entries', path: '/v1/entries?eventID=x', allowed: 'public' },
  { route: 'GET /v1/proofs/inclusion', path: '/v1/proofs/inclusion?index=0&size=1', allowed: 'public' },
  { route: 'GET /v1/proofs/consistency', path: '/v1/proofs/consistency?from=1&to=1', allowed: 'public' },
  { route: 'GET /v1/devices/:device', path: '/v1/devices/no-such-device', allowed: 'public' },
  { route: 'GET /v1/devices', path: '/v1/devices', allowed: ADMIN },
  { route: 'POST /v1/parties', path: '/v1/parties', body: {}, allowed: ADMIN },
  { route: 'GET /v1/parties', path: '/v1/parties', allowed: ADMIN },
  { route: 'POST /v1/locations', path: '/v1/locations', body: {}, allowed: ADMIN },
  { route: 'GET /v1/locations', path: '/v1/locations', allowed: ADMIN },
  { route: 'POST /v1/devices', path: '/v1/devices', body: {}, allowed: ADMIN },
  { route: 'POST /v1/devices/:device/revoke', path: '/v1/devices/no-such-device/revoke', allowed: ADMIN },
  { route: 'POST /v1/devices/:device/rotate', path: '/v1/devices/no-such-device/rotate', body: {}, allowed: ADMIN },
  { route: 'POST /v1/tokens', path: '/v1/tokens', body: {}, allowed: ADMIN },
  { route: 'GET /v1/tokens', path: '/v1/tokens', allowed: ADMIN },
  { route: 'POST /v1/tokens/:id/revoke', path: '/v1/tokens/999999/revoke', allowed: ADMIN },
  { route: 'GET /v1/rejections', path: '/v1/rejections', allowed: ADMIN },
  { route: 'POST /v1/parties/:gln/company-prefixes', path: `/v1/parties/${MFG}/company-prefixes`, body: {}, allowed: ADMIN },
  { route: 'GET /v1/parties/:gln/company-prefixes', path: `/v1/parties/${MFG}/company-prefixes`, allowed: ADMIN },
  { route: 'GET /v1/audit/regulator-queries', path: '/v1/audit/regulator-queries', allowed: ADMIN },
  { route: 'GET /v1/verify', path: `/v1/verify?scan=${encodeURIComponent(UNIT_DL)}`, allowed: VERIFIERS },
  { route: 'GET /v1/verify/01/:gtin/21/:serial', path: `/v1/verify/01/${GTIN}/21/${SERIAL}`, allowed: VERIFIERS },
  // Held by nobody but owned by the manufacturer: its owner, the regulator and the admin see it.
  { route: 'GET /v1/units/01/:gtin/21/:serial', path: `/v1/units/01/${GTIN}/21/${SERIAL}`, allowed: ['admin', 'manufacturer', 'regulator'] },
  { route: 'GET /v1/containers/00/:sscc', path: `/v1/containers/00/${SSCC}`, allowed: ['admin', 'manufacturer', 'regulator'] },
  // A party lists the alerts of its own site (?site=), not everyone's.
  { route: 'GET /v1/alerts', path: '/v1/alerts', allowed: ['admin', 'regulator'] },
  { route: 'GET /v1/alerts/:id', path: '/v1/alerts/999999', allowed: ALL_ROLES },
  { route: 'POST /v1/alerts/:id/acknowledge', path: '/v1/alerts/999999/acknowledge', body: { note: 'seen' }, allowed: ALL_ROLES },
  { route: 'POST /v1/alerts/:id/resolve', path: '/v1/alerts/999999/resolve', body: { note: 'done' }, allowed: ALL_ROLES },
  {
    route: 'POST /epcis/capture',
    path: '/epcis/capture',
    body: CAPTURE_DOC,
    // The admin may call every route (DESIGN.md §9): its captures are signed as captured by `admin`.
    allowed: ['admin', 'manufacturer', 'distributor', 'pharmacy'],
  },
  { route: 'GET /epcis/capture/:captureID', path: '/epcis/capture/no-such-job', allowed: ALL_ROLES },
  { route: 'GET /epcis/events', path: '/epcis/events', allowed: ALL_ROLES },
  { route: 'GET /v1/ledger/entries', path: '/v1/ledger/entries', allowed: ALL_ROLES },
  { route: 'GET /v1/ledger/devices', path: '/v1/ledger/devices', allowed: ALL_ROLES },
  // Web pages (issue 7) take no bearer token: a session cookie, else they send the browser to /sign-in (test/web).
  ...[
    'GET /assets/app.css',
    'GET /assets/app.js',
    'GET /assets/favicon.svg',
    'GET /favicon.ico',
    'GET /sign-in',
    'POST /sign-out',
    'GET /',
    'GET /alerts',
    'GET /alert-rows',
    'GET /alerts/:id',
    'POST /alerts/:id/act',
    'GET /recalls',
    'POST /recalls',
    'GET /recalls/:id',
    'GET /recalls/:id/report-fragment',
    'GET /recalls/:id/report.csv',
    'POST /recalls/:id/acknowledge',
    'GET /ledger',
  ].map((route): RouteCase => ({ route, path: route.split(' ')[1]!.replace(':id', '1'), allowed: 'open' })),
  // Without our Origin, the sign-in form is refused (400) whoever sends it.
  { route: 'POST /sign-in', path: '/sign-in', allowed: 'open' },
];

const stores = process.env.PEDIGREE_TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(stores)('access control on %s', (store) => {
  let h: LedgerHarness;
  const tokens = {} as Record<Caller, string>;
  const ids = {} as Record<Caller, number>;

  beforeAll(async () => {
    h = await startLedgerHarness({ store });
    tokens.admin = h.adminToken;
    tokens.none = '';
    tokens.unknown = 'pdg_pharmacy_this-token-was-never-issued';
    for (const [party, role] of [
      [MFG, 'manufacturer'],
      [DIST, 'distributor'],
      [PHARMACY, 'pharmacy'],
      [REGULATOR, 'regulator'],
    ] as const) {
      expect((await h.api('POST', '/v1/parties', { gln: party, name: role, role })).status).toBe(201);
      const t = await h.api('POST', '/v1/tokens', { party, role });
      expect(t.status).toBe(201);
      tokens[role] = t.body.token;
      ids[role] = t.body.id;
    }
    const revoked = await h.api('POST', '/v1/tokens', { party: PHARMACY, role: 'pharmacy' });
    tokens.revoked = revoked.body.token;
    expect((await h.api('POST', `/v1/tokens/${revoked.body.id}/revoke`)).status).toBe(200);
    for (const prefix of ['9506000']) expect((await h.api('POST', `/v1/parties/${MFG}/company-prefixes`, { prefix })).status).toBe(201);
    // The unit and its case, commissioned and packed through the manufacturer's EPCIS capture.
    const where = { eventTime: '2026-10-01T08:00:00.000Z', eventTimeZoneOffset: '+00:00', readPoint: { id: `https://id.gs1.org/414/${MFG}` } };
    const doc = {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-10-01T08:00:00Z',
      epcisBody: {
        eventList: [
          { type: 'ObjectEvent', ...where, epcList: [UNIT_DL], action: 'ADD', bizStep: 'commissioning', disposition: 'active' },
          { type: 'AggregationEvent', ...where, parentID: `https://id.gs1.org/00/${SSCC}`, childEPCs: [UNIT_DL], action: 'ADD', bizStep: 'packing' },
        ],
      },
    };
    const captured = await fetch(`${h.ledger.httpUrl}/epcis/capture`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.manufacturer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(doc),
    });
    expect(captured.status).toBe(202);
    await h.ledger.capture.drain();
    await h.ledger.custody.drain();
  });
  afterAll(async () => h?.stop());

  const bareApp = () =>
    createApp({
      store: h.ledger.store,
      registry: h.ledger.registry,
      signer: h.ledger.signer,
      credentials: {} as never,
      metrics: {} as never,
      health: async () => ({ ok: true, checks: {} }),
      custody: {} as never,
      accessControl: { access: {} as never, epcis: { captureLimits: { maxEvents: 1, maxBytes: 1 } } as never },
    });

  it('routes with Hono’s RegExpRouter: no two routes overlap in a way it cannot tell apart', async () => {
    // A static segment beside a parameter (/alerts/rows and /alerts/:id) made Hono fall back to its TrieRouter for
    // every request: more CPU and garbage on each verification (bench/RESULTS.md, session 12).
    const app = bareApp();
    await app.request('/healthz');
    expect(app.router.name).toBe('SmartRouter + RegExpRouter');
  });

  it('the table names every route the app exposes', () => {
    const app = bareApp();
    const exposed = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    expect([...exposed].sort()).toEqual([...new Set(ROUTES.map((r) => r.route))].sort());
  });

  describe.each(ROUTES)('$route', (route) => {
    it.each(CALLERS)('as %s', async (caller) => {
      const r = await h.api(route.route.split(' ')[0]!, route.path, route.body, tokens[caller]);
      const anonymous = caller === 'none' || caller === 'unknown' || caller === 'revoked';
      const allowed =
        route.allowed === 'open'
          ? true
          : route.allowed === 'public'
            ? caller === 'none' || !anonymous
            : !anonymous && route.allowed.includes(caller as Role);
      if (allowed) {
        expect([401, 403], `${r.status} ${r.text}`).not.toContain(r.status);
        return;
      }
      const status = anonymous ? 401 : 403;
      expect(r.status, r.text).toBe(status);
      expect(r.headers.get('Content-Type')).toContain('application/problem+json');
      const code = anonymous ? 'UNAUTHENTICATED' : (route.forbiddenCode?.[caller as Role] ?? 'FORBIDDEN');
      expect(r.body).toMatchObject({ status, code });
      if (route.path.startsWith('/epcis/')) expect(r.body.type).toBe('epcisException:SecurityException');
      if (status === 401) expect(r.headers.get('WWW-Authenticate')).toContain('Bearer');
    });
  });

  describe('tokens', () => {
    it('are bound to a party of the same role, listed without their secret, and revoked at once', async () => {
      expect((await h.api('POST', '/v1/tokens', { party: DIST, role: 'pharmacy' })).body.code).toBe('VALIDATION_FAILED');
      const t = await h.api('POST', '/v1/tokens', { party: DIST, role: 'distributor' });
      expect(t.body).toMatchObject({ party: DIST, role: 'distributor', token: expect.stringMatching(/^pdg_distributor_/) });
      const list = await h.api('GET', '/v1/tokens');
      const listed = list.body.tokens.find((x: { id: number }) => x.id === t.body.id);
      expect(listed).toMatchObject({ id: t.body.id, party: DIST, role: 'distributor', revoked: false, createdAt: expect.any(String) });
      expect(JSON.stringify(list.body)).not.toContain(t.body.token);
      expect((await h.api('GET', '/epcis/events', undefined, t.body.token)).status).toBe(200);
      expect((await h.api('POST', `/v1/tokens/${t.body.id}/revoke`)).body).toMatchObject({ id: t.body.id, revoked: true });
      expect((await h.api('GET', '/epcis/events', undefined, t.body.token)).status).toBe(401);
      expect((await h.api('GET', `/v1/alerts?site=${DIST}`, undefined, t.body.token)).body.code).toBe('UNAUTHENTICATED');
      expect((await h.api('POST', `/v1/tokens/${t.body.id}/revoke`)).body.code).toBe('TOKEN_ALREADY_REVOKED');
      expect((await h.api('POST', '/v1/tokens/424242/revoke')).body.code).toBe('TOKEN_NOT_FOUND');
    });

    it('never revokes the last admin token', async () => {
      const admins = (await h.api('GET', '/v1/tokens')).body.tokens.filter((x: { role: string; revoked: boolean }) => x.role === 'admin' && !x.revoked);
      expect(admins).toHaveLength(1);
      const r = await h.api('POST', `/v1/tokens/${admins[0].id}/revoke`);
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('LAST_ADMIN_TOKEN');
    });

    it('are created and revoked from the CLI (npm run pedigree -- token create|revoke)', async () => {
      const cli = (...args: string[]) =>
        run('npx', ['tsx', 'server/cli/main.ts', ...args, '--url', h.ledger.httpUrl, '--token', h.adminToken], { env: { ...process.env, PEDIGREE_LOG_LEVEL: 'silent' } });
      const created = JSON.parse((await cli('token', 'create', '--party', PHARMACY, '--role', 'pharmacy')).stdout);
      expect((await h.api('GET', '/epcis/events', undefined, created.token)).status).toBe(200);
      const revoked = JSON.parse((await cli('token', 'revoke', '--id', String(created.id))).stdout);
      expect(revoked).toMatchObject({ id: created.id, revoked: true });
      expect((await h.api('GET', '/epcis/events', undefined, created.token)).status).toBe(401);
    });
  });

  describe('company prefixes', () => {
    it('are registered to manufacturers only, never overlapping another party\'s', async () => {
      expect((await h.api('POST', `/v1/parties/${MFG}/company-prefixes`, { prefix: '9506000' })).status).toBe(200);
      expect((await h.api('POST', `/v1/parties/${DIST}/company-prefixes`, { prefix: '9510000' })).body.code).toBe('VALIDATION_FAILED');
      expect((await h.api('POST', `/v1/parties/${MFG}/company-prefixes`, { prefix: '95-06' })).body.code).toBe('INVALID_COMPANY_PREFIX');
      const other = gln('952000200050');
      await h.api('POST', '/v1/parties', { gln: other, name: 'Other maker', role: 'manufacturer' });
      expect((await h.api('POST', `/v1/parties/${other}/company-prefixes`, { prefix: '95060001' })).body.code).toBe('PREFIX_TAKEN');
      expect((await h.api('GET', `/v1/parties/${MFG}/company-prefixes`)).body).toEqual({ party: MFG, prefixes: ['9506000'] });
    });
  });

  describe('the regulator query record', () => {
    it('holds who asked what and when, for every regulator request, refused ones too', async () => {
      const before = (await h.api('GET', '/v1/audit/regulator-queries?limit=1')).body.queries[0]?.id ?? 0;
      await h.api('GET', `/v1/units/01/${GTIN}/21/${SERIAL}`, undefined, tokens.regulator);
      await h.api('GET', '/v1/devices', undefined, tokens.regulator);
      await h.api('GET', `/v1/units/01/${GTIN}/21/A`, undefined, tokens.pharmacy);
      const r = await h.api('GET', `/v1/audit/regulator-queries?party=${REGULATOR}&limit=2`);
      expect(r.status).toBe(200);
      const [latest, previous] = r.body.queries;
      expect(latest).toMatchObject({ tokenId: ids.regulator, party: REGULATOR, method: 'GET', target: '/v1/devices', status: 403 });
      expect(previous).toMatchObject({ tokenId: ids.regulator, method: 'GET', target: `/v1/units/01/${GTIN}/21/${SERIAL}`, status: 200 });
      expect(previous.id).toBeGreaterThan(before);
      expect(Date.parse(latest.at)).toBeGreaterThan(Date.now() - 60_000);
      expect(r.body.next).toMatch(/^\/v1\/audit\/regulator-queries\?before=\d+&limit=2$/);
    });
  });
});
