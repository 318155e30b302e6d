// The pages' static assets: one stylesheet, one script, an icon. The script is bundled in memory with esbuild the
// first time it is asked for (then cached): the in-browser proof check reuses schemas/signing and @noble, which are
// TypeScript and npm modules, and bundling at start-up keeps generated files out of the repository and needs no build
// step before `npm start`. esbuild earns its place for that one bundle; everything else is server-rendered HTML.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';

const BROWSER_ENTRY = fileURLToPath(new URL('./browser/main.ts', import.meta.url));
const STYLESHEET = new URL('./browser/app.css', import.meta.url);

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b5d4b"/><path d="M9 17l5 5 9-11" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

interface Asset {
  readonly body: string;
  readonly type: string;
  readonly etag: string;
}

const asset = (body: string, type: string): Asset => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });

let script: Promise<Asset> | undefined;

/** The browser bundle, built once per process. A failed build is retried on the next request. */
export function browserBundle(): Promise<Asset> {
  script ??= (async () => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [BROWSER_ENTRY],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: ['es2022'],
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    return asset(out.outputFiles[0]!.text, 'text/javascript; charset=utf-8');
  })().catch((e: unknown) => {
    script = undefined;
    throw e;
  });
  return script;
}

function send(c: Context, a: Asset): Response {
  // Revalidated on every load (no-cache): small files, and a new server version is picked up at once.
  const headers = { 'Content-Type': a.type, 'Cache-Control': 'no-cache', ETag: a.etag, 'X-Content-Type-Options': 'nosniff' };
  if (c.req.header('If-None-Match') === a.etag) return c.body(null, 304, headers);
  return c.body(a.body, 200, headers);
}

export function assetRoutes(o: { readonly onError?: ((e: unknown) => void) | undefined }): Hono {
  const app = new Hono();
  const css = asset(readFileSync(STYLESHEET, 'utf8'), 'text/css; charset=utf-8');
  const icon = asset(FAVICON, 'image/svg+xml');
  app.get('/assets/app.css', (c) => send(c, css));
  app.get('/assets/favicon.svg', (c) => send(c, icon));
  app.get('/favicon.ico', (c) => c.redirect('/assets/favicon.svg', 301));
  app.get('/assets/app.js', async (c) => {
    try {
      return send(c, await browserBundle());
    } catch (e) {
      o.onError?.(e);
      return c.text('// the page script could not be built; the error is in the ledger log\n', 500, { 'Content-Type': 'text/javascript; charset=utf-8' });
    }
  });
  return app;
}
