// The web pages in a real browser (Debian's Chromium through playwright-core; issue 7): a pharmacist signs in and
// verifies a genuine pack (verdict, timeline, "verified in your browser"), a recalled one, an unknown serial and a
// malformed scan; a tampered proof or checkpoint and a changed ledger key show as failures; a manufacturer issues a
// recall and watches its report update; an alert appears live. Every page is screenshotted at 360 and 1280 px
// (test-output/web/), and any console error or page error fails the test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { decodeBase64, encodeBase64 } from '../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { formatVkey, SIGNATURE_TYPE_ED25519 } from '../../schemas/signing/signed-note.js';
import { GTIN, events, gln, openSite, record, type Site } from '../harness/custody-sites.js';
import { startLedgerHarness, type LedgerHarness } from '../harness/ledger-harness.js';
import { checkAccessibility, openBrowser, screenshots, type Person } from './browser.js';

const suffix = Math.random().toString(36).slice(2, 8);
const started = Date.now();
const ago = (minutes: number) => new Date(started - minutes * 60_000).toISOString();
const GS = '\u001d';

/** What a DataMatrix scanner in keyboard-wedge mode types: `]d2`, the element string with GS, then Enter. */
const scanOf = (serial: string, lot: string, yymmdd = '281231') => `]d201${GTIN}17${yymmdd}${GS}10${lot}${GS}21${serial}`;

function unescapeAttr(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function flipFirstByte(b64: string): string {
  const bytes = decodeBase64(b64)!;
  bytes[0]! ^= 0x01;
  return encodeBase64(bytes);
}

/** Serves the Verify page with its embedded proof altered by `tamper` (a man in the middle, or a lying server). */
async function tamperWithProof(page: Page, tamper: (proof: { hashes: string[]; checkpoint: string }) => void): Promise<void> {
  await page.route(
    (url) => url.pathname === '/' && url.searchParams.has('scan'),
    async (route: Route) => {
      const res = await route.fetch();
      const html = await res.text();
      const altered = html.replace(/data-proof="([^"]*)"/, (_m, attr: string) => {
        const proof = JSON.parse(unescapeAttr(attr));
        tamper(proof);
        return `data-proof="${escapeAttr(JSON.stringify(proof))}"`;
      });
      expect(altered).not.toBe(html);
      await route.fulfill({ response: res, body: altered });
    },
  );
}

describe('web pages in Chromium', { timeout: 120_000 }, () => {
  let h: LedgerHarness;
  let base: string;
  let mfg: Site;
  let dist: Site;
  let ph1: Site;
  let pharmacist: Person;
  let maker: Person | undefined;
  let recallId: string;

  beforeAll(async () => {
    h = await startLedgerHarness();
    base = h.ledger.httpUrl;
    mfg = await openSite(h, { name: 'acme', gln: gln('952123470000'), role: 'manufacturer', suffix });
    dist = await openSite(h, { name: 'dist', gln: gln('952123470010'), role: 'distributor', suffix });
    ph1 = await openSite(h, { name: 'ph1', gln: gln('952123470020'), role: 'pharmacy', suffix });
    expect((await h.api('POST', `/v1/parties/${mfg.gln}/company-prefixes`, { prefix: '9506000' })).status).toBe(201);
    // G1: manufacturer → distributor → pharmacy. R1–R4 (lot LOT-R): manufacturer → pharmacy, recalled later.
    await record(h, mfg, [events.commission(mfg, ['G1'], ago(300), { lot: 'LOT-G', expiry: '2028-12-31' })]);
    await record(h, mfg, [events.commission(mfg, ['R1', 'R2', 'R3', 'R4'], ago(300), { lot: 'LOT-R', expiry: '2028-12-31' })]);
    await record(h, mfg, [events.ship(mfg, { serials: ['G1'] }, dist, ago(240))]);
    await record(h, dist, [events.receive(dist, { serials: ['G1'] }, mfg, ago(230))]);
    await record(h, dist, [events.ship(dist, { serials: ['G1'] }, ph1, ago(180))]);
    await record(h, ph1, [events.receive(ph1, { serials: ['G1'] }, dist, ago(120))]);
    await record(h, mfg, [events.ship(mfg, { serials: ['R1', 'R2', 'R3', 'R4'] }, ph1, ago(200))]);
    await record(h, ph1, [events.receive(ph1, { serials: ['R1', 'R2', 'R3', 'R4'] }, mfg, ago(190))]);
    pharmacist = await openBrowser();
  }, 120_000);

  afterEach(() => {
    for (const person of [pharmacist, maker]) {
      if (!person) continue;
      const seen = person.errors.splice(0);
      expect(seen, 'console errors and page errors').toEqual([]);
    }
  });

  afterAll(async () => {
    await pharmacist?.close();
    await maker?.close();
    for (const s of [mfg, dist, ph1]) await s?.client.close();
    await h?.stop();
  });

  async function signIn(person: Person, token: string, next = '/'): Promise<void> {
    await person.page.goto(`${base}${next}`);
    expect(new URL(person.page.url()).pathname).toBe('/sign-in');
    await person.page.getByLabel('Access token').fill(token);
    await person.page.getByRole('button', { name: 'Sign in' }).click();
    await person.page.waitForURL((u) => u.pathname === next);
  }

  async function verify(page: Page, raw: string): Promise<void> {
    await page.goto(`${base}/`);
    // The scan field has focus on arrival: the scanner just types, then Enter submits.
    await page.waitForFunction(() => document.activeElement?.id === 'scan', undefined, { timeout: 5000 });
    await page.keyboard.type(raw);
    await Promise.all([page.waitForURL((u) => u.searchParams.has('scan')), page.keyboard.press('Enter')]);
  }

  const proofStatus = (page: Page) => page.locator('#proof-status');

  describe('signing in', () => {
    it('sends a visitor without a session to sign in, and refuses a wrong token with a message', async () => {
      const { page } = pharmacist;
      await page.goto(`${base}/alerts`);
      expect(page.url()).toBe(`${base}/sign-in?next=%2Falerts`);
      await checkAccessibility(page);
      await screenshots(page, 'sign-in');
      await page.getByLabel('Access token').fill('pdg_pharmacy_not-a-real-token-at-all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('.notice').textContent()).toContain('not valid');
    });

    it('signs a pharmacist in, keeping the token out of the URL and out of the page’s storage', async () => {
      await signIn(pharmacist, ph1.token);
      const { page, context } = pharmacist;
      expect(page.url()).not.toContain(ph1.token);
      const cookies = await context.cookies(base);
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatchObject({ name: 'pedigree_session', httpOnly: true, sameSite: 'Strict' });
      expect(cookies[0]!.value).not.toContain(ph1.token);
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
      expect(stored).not.toContain(ph1.token);
      await expect.poll(() => page.locator('.who').textContent()).toContain('ph1');
      await checkAccessibility(page);
      await screenshots(page, 'verify');
    });
  });

  describe('verifying packs', () => {
    it('verifies a genuine pack from a scanner: the verdict first, the timeline, and "verified in your browser"', async () => {
      const { page } = pharmacist;
      await verify(page, scanOf('G1', 'LOT-G'));
      await expect.poll(() => page.locator('#verdict-headline').textContent()).toBe('Genuine — OK to dispense');
      expect(await page.locator('#verdict').getAttribute('class')).toContain('verdict--ok');
      const steps = page.locator('.timeline .step-title');
      expect(await steps.allTextContents()).toEqual(['Made and serialised (commissioned)', 'Shipped', 'Received', 'Shipped', 'Received']);
      const timeline = await page.locator('.timeline').textContent();
      for (const who of ['acme', 'dist', 'ph1']) expect(timeline).toContain(who);
      expect(await page.locator('.timeline time').count()).toBe(5);
      await expect.poll(() => proofStatus(page).textContent(), { timeout: 15_000 }).toMatch(/^✔ Verified in your browser/);
      expect(await page.locator('#key-fingerprint').textContent()).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){7}$/);
      expect(await page.locator('#key-memory').textContent()).toContain('First use');
      // The field is empty and focused again, ready for the next pack.
      expect(await page.evaluate(() => [document.activeElement?.id, (document.getElementById('scan') as HTMLInputElement).value])).toEqual(['scan', '']);
      await checkAccessibility(page);
      await screenshots(page, 'verify-genuine');
    });

    it('says an unknown serial is not in the ledger and must not be dispensed', async () => {
      const { page } = pharmacist;
      await verify(page, `https://id.gs1.org/01/${GTIN}/21/NEVER-MADE`);
      await expect.poll(() => page.locator('#verdict-headline').textContent()).toBe('Unknown pack — not in the ledger: do not dispense');
      expect(await page.locator('#verdict').getAttribute('class')).toContain('verdict--danger');
      expect(await page.locator('#proof').textContent()).toContain('no ledger entry to check');
      expect(await page.locator('#proof').textContent()).not.toContain('Verified in your browser');
      await screenshots(page, 'verify-unknown');
    });

    it('explains a malformed scan with the parser’s code and position, and no stack trace', async () => {
      const { page } = pharmacist;
      await verify(page, `]d20109506000134353${GS}21X1`);
      await expect.poll(() => page.locator('#verdict-headline').textContent()).toBe('This code could not be read — scan it again');
      const text = (await page.locator('#verdict').textContent()) ?? '';
      expect(text).toContain('INCORRECT_CHECK_DIGIT');
      expect(text).toMatch(/at character \d+/);
      expect(await page.locator('#verdict mark').count()).toBe(1);
      const body = (await page.locator('body').textContent()) ?? '';
      expect(body).not.toMatch(/\bat \S+ \(|Error:|node_modules/);
      await checkAccessibility(page);
      await screenshots(page, 'verify-malformed');
    });

    it('shows a failure when a proof hash was tampered with', async () => {
      const { page } = pharmacist;
      await tamperWithProof(page, (p) => {
        p.hashes[0] = flipFirstByte(p.hashes[0]!);
      });
      await verify(page, scanOf('G1', 'LOT-G'));
      await expect.poll(() => proofStatus(page).textContent(), { timeout: 15_000 }).toContain('FAILED');
      expect(await proofStatus(page).textContent()).not.toContain('✔');
      expect(await proofStatus(page).getAttribute('role')).toBe('alert');
      await screenshots(page, 'verify-tampered');
      await page.unrouteAll();
    });

    it('shows a failure when the checkpoint was tampered with', async () => {
      const { page } = pharmacist;
      await tamperWithProof(page, (p) => {
        const lines = p.checkpoint.split('\n');
        lines[2] = flipFirstByte(lines[2]!);
        p.checkpoint = lines.join('\n');
      });
      await verify(page, scanOf('G1', 'LOT-G'));
      await expect.poll(() => proofStatus(page).textContent(), { timeout: 15_000 }).toContain('FAILED');
      expect(await proofStatus(page).textContent()).toContain('not validly signed');
      await page.unrouteAll();
    });

    it('warns loudly when the ledger’s key changed since first use, and does not say verified', async () => {
      const { page } = pharmacist;
      const impostor = formatVkey({ name: h.config.logOrigin, type: SIGNATURE_TYPE_ED25519, publicKey: generateKeyPair().publicKey });
      await page.route(`${base}/v1/verifier-key`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: `${impostor}\n` }));
      await verify(page, scanOf('G1', 'LOT-G'));
      const warning = page.locator('#key-warning');
      await warning.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await warning.textContent()).toContain('WARNING: the ledger’s key has changed');
      expect(await warning.getAttribute('role')).toBe('alert');
      await expect.poll(() => proofStatus(page).textContent()).toMatch(/^✖/);
      expect(await proofStatus(page).textContent()).not.toContain('✔');
      await screenshots(page, 'verify-key-changed');
      await page.unrouteAll();
      // The remembered key was kept: with the real key back, the pack verifies again.
      await verify(page, scanOf('G1', 'LOT-G'));
      await expect.poll(() => proofStatus(page).textContent(), { timeout: 15_000 }).toMatch(/^✔ Verified in your browser/);
      expect(await page.locator('#key-memory').textContent()).toContain('has trusted since');
      expect(await page.locator('#key-warning').isHidden()).toBe(true);
    });
  });

  describe('recalls', () => {
    it('lets the manufacturer issue a recall and shows its report updating as units are accounted for', async () => {
      maker = await openBrowser();
      await signIn(maker, mfg.token, '/recalls');
      const { page } = maker;
      await checkAccessibility(page);
      await page.getByLabel('Product (GTIN)').fill(GTIN);
      await page.getByLabel('These lots').check();
      await page.getByLabel('Lots or serial numbers').fill('LOT-R');
      await page.getByLabel('Class').selectOption('I');
      await page.getByLabel('Reason').fill('particles in the solution');
      await page.getByLabel('Instructions to sites (optional)').fill('Quarantine and return to Acme');
      await Promise.all([page.waitForURL(/\/recalls\/rcl-[0-9a-f]{16}\?notice=issued$/), page.getByRole('button', { name: 'Issue recall' }).click()]);
      recallId = new URL(page.url()).pathname.split('/')[2]!;
      expect(await page.locator('.notice').textContent()).toContain('Recall issued');
      expect(await page.locator('#tally-total').textContent()).toBe('4');
      expect(await page.locator('#tally-outstanding').textContent()).toBe('4');
      expect(await page.locator('#by-custodian tbody').textContent()).toContain('ph1');
      expect(await page.locator('figure.chart svg[role=img]').count()).toBe(1);
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

      // The pharmacy destroys one recalled pack: the open report shows it accounted for, without a reload.
      await record(h, ph1, [events.destroy(ph1, ['R2'], new Date().toISOString())]);
      await expect.poll(() => page.locator('#tally-outstanding').textContent(), { timeout: 20_000 }).toBe('3');
      expect(await page.locator('#tally-accounted').textContent()).toBe('1');
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await expect.poll(() => page.locator('#live-status').textContent()).toContain('Updated');
      await checkAccessibility(page);
      await screenshots(page, 'recall-report');

      // The CSV comes through the session; the link carries no token.
      const href = await page.getByRole('link', { name: 'Download the report as CSV' }).getAttribute('href');
      expect(href).toBe(`/recalls/${recallId}/report.csv`);
      const csv = await page.request.get(`${base}${href}`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      const rows = (await csv.text()).trim().split('\r\n');
      expect(rows).toHaveLength(5);
      expect(rows.find((r) => r.includes(',R2,'))).toContain(',destroyed,');

      await page.goto(`${base}/recalls`);
      expect(await page.locator('table.data').textContent()).toContain('particles in the solution');
      await screenshots(page, 'recalls');
    });

    it('tells the pharmacist a recalled pack is RECALLED, and lets the pharmacy acknowledge the recall', async () => {
      const { page } = pharmacist;
      await verify(page, scanOf('R1', 'LOT-R'));
      await expect.poll(() => page.locator('#verdict-headline').textContent()).toBe('RECALLED — do not dispense');
      expect(await page.locator('#verdict').getAttribute('class')).toContain('verdict--danger');
      expect(await page.locator('.timeline .step-title').last().textContent()).toBe('Recalled');
      await expect.poll(() => proofStatus(page).textContent(), { timeout: 15_000 }).toMatch(/^✔ Verified in your browser/);
      await screenshots(page, 'verify-recalled');

      await Promise.all([page.waitForURL(/\/recalls\?gtin=/), page.getByRole('link', { name: 'Read the recall notice for this product' }).click()]);
      await Promise.all([page.waitForURL(`${base}/recalls/${recallId}`), page.getByRole('link', { name: 'particles in the solution' }).click()]);
      // The report of where every unit is goes to the manufacturer and regulators, not to a pharmacy.
      expect(await page.locator('#report').textContent()).toContain('manufacturer and to regulators');
      await page.getByLabel('Note (optional: what your site did)').fill('4 packs quarantined, 1 destroyed');
      await Promise.all([page.waitForURL(/notice=acknowledged/), page.getByRole('button', { name: 'Acknowledge' }).click()]);
      const mine = page.locator('#sites tr', { hasText: 'ph1' });
      expect(await mine.textContent()).toContain('4 packs quarantined, 1 destroyed');
      expect(await mine.locator('time').count()).toBe(2);
      await checkAccessibility(page);
      await screenshots(page, 'recall-pharmacy');
    });
  });

  describe('alerts', () => {
    it('shows a new alert without a reload, and records an acknowledgement with its note', async () => {
      const { page } = pharmacist;
      await page.goto(`${base}/alerts`);
      expect(await page.getByLabel('Site (GLN)').inputValue()).toBe(ph1.gln);
      expect(await page.locator('#alert-rows tr', { hasText: 'GHOST-1' }).count()).toBe(0);
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

      // A receipt at ph1 of a serial no one commissioned: UNKNOWN_SERIAL for ph1.
      await record(h, ph1, [events.receive(ph1, { serials: ['GHOST-1'] }, dist, new Date().toISOString())]);
      const row = page.locator('#alert-rows tr', { hasText: 'GHOST-1' });
      await row.waitFor({ timeout: 20_000 });
      expect(await row.textContent()).toContain('Unknown serial');
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      expect(await page.locator('#live-status').textContent()).toContain('New alert');
      await checkAccessibility(page);
      await screenshots(page, 'alerts');

      await page.getByLabel('Alert', { exact: true }).selectOption('UNKNOWN_SERIAL');
      await Promise.all([page.waitForURL(/code=UNKNOWN_SERIAL/), page.getByRole('button', { name: 'Show' }).click()]);
      expect(await page.locator('#alert-rows tbody tr').count()).toBeGreaterThanOrEqual(1);
      for (const code of await page.locator('#alert-rows tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')))) {
        expect(code).toBe('UNKNOWN_SERIAL');
      }

      await page.locator('#alert-rows tr', { hasText: 'GHOST-1' }).getByRole('link').click();
      await page.waitForURL(/\/alerts\/\d+$/);
      await page.getByLabel('Note (what you found or did)').fill('Pack set aside; supplier called');
      await Promise.all([page.waitForURL(/notice=acknowledged/), page.getByRole('button', { name: 'Acknowledge' }).click()]);
      expect(await page.locator('.notice').textContent()).toContain('Alert acknowledged');
      expect(await page.locator('.notes').textContent()).toContain('Pack set aside; supplier called');
      await checkAccessibility(page);
      await screenshots(page, 'alert');
    });
  });

  describe('the ledger', () => {
    it('shows the tree size, the checkpoint checked in the browser, the entries and the pharmacy’s own devices', async () => {
      const { page } = pharmacist;
      await page.goto(`${base}/ledger`);
      const size = await h.ledger.store.treeSize();
      expect(Number(await page.locator('#tree-size').textContent())).toBeGreaterThanOrEqual(size);
      await expect.poll(() => page.locator('#checkpoint-check').textContent(), { timeout: 15_000 }).toMatch(/^✔ Verified in your browser/);
      expect(await page.locator('#cosignature-count').textContent()).toBe('0');
      expect(await page.locator('#entries tbody tr').count()).toBeGreaterThan(5);
      const devices = await page.locator('#devices tbody tr').allTextContents();
      expect(devices).toHaveLength(1);
      expect(devices[0]).toContain(ph1.device.device);
      expect(devices[0]).toContain('Active');
      await checkAccessibility(page);
      await screenshots(page, 'ledger');
    });

    it('signs out and forgets the session', async () => {
      const { page, context } = pharmacist;
      await Promise.all([page.waitForURL(/\/sign-in\?notice=signed-out$/), page.getByRole('button', { name: 'Sign out' }).click()]);
      expect(await context.cookies(base)).toHaveLength(0);
      await page.goto(`${base}/`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
    });
  });
});
