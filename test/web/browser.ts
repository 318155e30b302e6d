// Drives Debian's Chromium through playwright-core for the web page tests: a fresh profile per person, console
// errors and page errors collected (a test fails on any), screenshots at phone and desktop widths in test-output/.
// No browser is ever downloaded: without /usr/bin/chromium the tests fail and say how to install it.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.PEDIGREE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve('test-output/web');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught page errors seen so far (a test expects none). */
  readonly errors: string[];
  close(): Promise<void>;
}

/** A person with their own browser profile (cookies, localStorage), one tab open. */
export async function openBrowser(): Promise<Person> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the web page tests drive a real browser. Install Debian's package ` +
        '(apt-get install chromium; .ci/run does) or set PEDIGREE_CHROMIUM to its path. No browser is downloaded.',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'pedigree-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Screenshots of the page as it is, at 360 px (a phone at the dock) and 1280 px wide; also checks the page does not
 * scroll sideways at either width. Returns to the desktop width.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 1) throw new Error(`${name} scrolls sideways by ${overflow}px at ${width}px wide`);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  }
}

/** Basic accessibility the pages promise: one h1, main and nav landmarks when signed in, a label on every field. */
export async function checkAccessibility(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    const out: string[] = [];
    if (document.querySelectorAll('h1').length !== 1) out.push(`${document.querySelectorAll('h1').length} h1 elements`);
    if (!document.querySelector('main')) out.push('no main landmark');
    if (!document.documentElement.lang) out.push('no lang on html');
    for (const el of Array.from(document.querySelectorAll<HTMLInputElement>('input:not([type=hidden]), select, textarea'))) {
      if ((el.labels?.length ?? 0) === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) out.push(`unlabelled ${el.tagName} ${el.name}`);
    }
    for (const b of Array.from(document.querySelectorAll('button'))) if (!b.textContent?.trim()) out.push('button without text');
    return out;
  });
  if (problems.length > 0) throw new Error(`accessibility: ${problems.join('; ')}`);
}
