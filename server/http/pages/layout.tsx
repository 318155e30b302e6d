// The frame every page shares: landmarks, skip link, navigation, who is signed in, notices; and the render helper
// that adds the security headers pages need.
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { Session } from './session.js';
import { capitalise, type Tone } from './words.js';

export type Section = 'verify' | 'alerts' | 'recalls' | 'ledger';

export interface Notice {
  readonly tone: Tone;
  readonly text: string;
}

export interface LayoutProps {
  readonly title: string;
  readonly session?: Session | undefined;
  readonly section?: Section;
  readonly notice?: Notice | undefined;
  readonly children?: Child;
}

const NAV: readonly { section: Section; href: string; label: string }[] = [
  { section: 'verify', href: '/', label: 'Verify' },
  { section: 'alerts', href: '/alerts', label: 'Alerts' },
  { section: 'recalls', href: '/recalls', label: 'Recalls' },
  { section: 'ledger', href: '/ledger', label: 'Ledger' },
];

export function Layout(p: LayoutProps) {
  const s = p.session;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${p.title} · Pedigree`}</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/app.css" />
        <script type="module" src="/assets/app.js"></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="site-header">
          <div class="brand">
            <a href="/">Pedigree</a>
            <span class="brand-sub">custody ledger for medicines</span>
          </div>
          {s ? (
            <nav aria-label="Main">
              <ul>
                {NAV.map((n) => (
                  <li>
                    <a href={n.href} aria-current={p.section === n.section ? 'page' : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {s ? (
            <div class="who">
              <span>
                Signed in as <strong>{s.partyName ?? (s.caller.role === 'admin' ? 'Administrator' : (s.caller.party ?? ''))}</strong>{' '}
                <span class="role">({capitalise(s.caller.role)})</span>
              </span>
              <form method="post" action="/sign-out">
                <button type="submit" class="link-button">
                  Sign out
                </button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {p.notice ? (
            <p class={`notice notice--${p.notice.tone}`} role={p.notice.tone === 'danger' ? 'alert' : 'status'}>
              {p.notice.text}
            </p>
          ) : null}
          {p.children}
        </main>
        <footer class="site-footer">
          <p>
            Pedigree records every hand a pack passed through, signed at the scanner and kept in a tamper-evident log.{' '}
            <a href="/v1/checkpoint">Latest signed checkpoint</a> · <a href="/v1/verifier-key">Ledger key</a>
          </p>
        </footer>
      </body>
    </html>
  );
}

/**
 * Pages: scripts, styles and connections from this site only; no framing; nothing cached (they show a person's data).
 * `style-src` allows no inline styles: colours come from the stylesheet, also inside the inline SVG charts.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

export async function render(c: Context, page: JSX.Element, status: 200 | 400 | 403 | 404 | 500 = 200): Promise<Response> {
  const html = `<!doctype html>${String(await page)}`;
  return c.html(html, status, PAGE_HEADERS);
}

/** A fragment for a live region: the same components, no frame. */
export async function renderFragment(c: Context, fragment: JSX.Element, headers: Record<string, string> = {}): Promise<Response> {
  return c.html(String(await fragment), 200, { ...PAGE_HEADERS, ...headers });
}

export function Time(p: { readonly iso: string | null | undefined }) {
  if (!p.iso) return <span>—</span>;
  const d = new Date(p.iso);
  if (!Number.isFinite(d.getTime())) return <span>{p.iso}</span>;
  return (
    <time datetime={d.toISOString()} class="t">
      {`${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`}
    </time>
  );
}

/** The colour of a tone is never alone: every badge carries its word too. */
export function Badge(p: { readonly tone: Tone; readonly children?: Child }) {
  return <span class={`badge badge--${p.tone}`}>{p.children}</span>;
}

export function ErrorPage(p: { readonly session?: Session | undefined; readonly title: string; readonly message: string; readonly section?: Section }) {
  return (
    <Layout title={p.title} session={p.session} {...(p.section ? { section: p.section } : {})}>
      <h1>{p.title}</h1>
      <p class="notice notice--danger" role="alert">
        {p.message}
      </p>
      <p>
        <a href="/">Back to Verify</a>
      </p>
    </Layout>
  );
}
