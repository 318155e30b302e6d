// `npm run build:gateway`: bundles the gateway into one ESM file run by plain `node` (gateway/dist/gateway.mjs), the
// way an edge box runs it. Under tsx the gateway carries the TypeScript transform in-process and every dependency as
// separate modules; the bundle is tree-shaken and loads in a fraction of the memory (bench/RESULTS.md, gateway).
//
// Only serialport stays outside: its native binding is loaded from node_modules at run time, so the bundle is run
// from a checkout (or a copy of it) where `npm ci` has been done.
//
// EPCIS event validation is compiled ahead of time: imports of schemas/epcis/validate.js resolve to a module that
// re-exports it with validateEpcisEvent answered by ajv standalone code (precompiled-epcis-validation.ts says why).
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { precompileEpcisEventValidator } from './precompile-epcis-validator.js';

const GATEWAY_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(GATEWAY_DIR, '..');
const EPCIS_VALIDATE = join(REPO_ROOT, 'schemas', 'epcis', 'validate.ts');
const NAMESPACE = 'pedigree-gateway-bundle';

/**
 * zod's namespace export carries every locale's error messages (300 KB of source in the bundle); the gateway's
 * messages are English (zod's default, set from locales/en.js), so the bundle's locales module has that one only.
 */
function englishOnlyZodPlugin(): Plugin {
  return {
    name: 'pedigree-zod-english-only',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
        contents: 'export { default as en } from "./en.js";\n',
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
    },
  };
}

/** @noble/hashes' sha256 answered by node:crypto (node-sha256.ts); everything else of sha2.js stays noble's. */
function nodeSha256Plugin(): Plugin {
  return {
    name: 'pedigree-node-sha256',
    setup(b) {
      b.onResolve({ filter: /^@noble\/hashes\/sha2(\.js)?$/ }, async (args) => {
        if (args.pluginData === NAMESPACE) return undefined;
        const real = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: NAMESPACE });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: `${NAMESPACE}-sha2` };
      });
      b.onLoad({ filter: /.*/, namespace: `${NAMESPACE}-sha2` }, (args) => ({
        loader: 'js',
        resolveDir: GATEWAY_DIR,
        contents: [`export * from ${JSON.stringify(args.path)};`, `export { sha256 } from './node-sha256.ts';`].join('\n'),
      }));
    },
  };
}

function precompiledValidationPlugin(): Plugin {
  return {
    name: 'pedigree-precompiled-epcis-validation',
    setup(b) {
      b.onResolve({ filter: /(^|\/)validate\.js$/ }, (args) => {
        if (args.namespace === NAMESPACE) return undefined;
        const resolved = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
        return resolved === EPCIS_VALIDATE ? { path: 'epcis-validate', namespace: NAMESPACE } : undefined;
      });
      b.onResolve({ filter: new RegExp(`^${NAMESPACE}:`) }, (args) => ({ path: args.path.slice(NAMESPACE.length + 1), namespace: NAMESPACE }));
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        if (args.path === 'event-validator') return { contents: precompileEpcisEventValidator(), loader: 'js', resolveDir: REPO_ROOT };
        const real = JSON.stringify(EPCIS_VALIDATE);
        return {
          loader: 'ts',
          resolveDir: GATEWAY_DIR,
          contents: [
            `import * as schemaValidation from ${real};`,
            `import precompiled from '${NAMESPACE}:event-validator';`,
            `import { withPrecompiledEventValidator } from './precompiled-epcis-validation.ts';`,
            `export * from ${real};`,
            'export const validateEpcisEvent = withPrecompiledEventValidator(precompiled, schemaValidation.validateEpcisEvent, schemaValidation.MAX_CONTEXT_ENTRIES);',
          ].join('\n'),
        };
      });
    },
  };
}

/** Where `npm run build:gateway` writes the bundle. */
export const GATEWAY_BUNDLE = join(GATEWAY_DIR, 'dist', 'gateway.mjs');

/**
 * The V8 flags the gateway is run with (`npm run gateway:start`), for an RSS within 80 MB idle, in a read burst and
 * while draining a backlog (bench/RESULTS.md, gateway, has the figures for each):
 * - a 1 MB young generation instead of up to 2 × 16 MB, and an old-generation cap well under the budget, so that V8
 *   collects rather than grows;
 * - no background threads (they each keep their own malloc arena: about 8 MB) and V8's memory-saving heuristics;
 * - no optimising compiler (TurboFan's compile zones and code were another 4–6 MB at the peaks): reads take about
 *   twice the CPU, some 0.6 ms each, still over a thousand a second, and draining stays far above 5,000/s. Drop
 *   `--max-opt=2` where CPU matters more than the last MBs.
 */
export const GATEWAY_NODE_FLAGS = [
  '--max-semi-space-size=1',
  '--max-old-space-size=48',
  '--single-threaded',
  '--optimize-for-size',
  '--max-opt=2',
] as const;

export interface BuildGatewayOptions {
  /** Default: gateway/dist/gateway.mjs. */
  readonly outfile?: string;
}

export async function buildGatewayBundle(options: BuildGatewayOptions = {}): Promise<string> {
  const outfile = resolve(options.outfile ?? GATEWAY_BUNDLE);
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [join(GATEWAY_DIR, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Whitespace and syntax only: identifiers stay, so a stack trace in the gateway's log still names functions
    // (renaming them too would save 0.6 MB of source held in memory).
    minifyWhitespace: true,
    minifySyntax: true,
    treeShaking: true,
    external: ['serialport', '@serialport/*'],
    // CommonJS dependencies bundled into ESM still call require() (node built-ins, optional modules).
    banner: { js: "import { createRequire as __pedigreeCreateRequire } from 'node:module'; const require = __pedigreeCreateRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [precompiledValidationPlugin(), englishOnlyZodPlugin(), nodeSha256Plugin()],
  });
  if (result.errors.length > 0) throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outfile = await buildGatewayBundle({ ...(process.argv[2] ? { outfile: process.argv[2] } : {}) });
  process.stdout.write(`${outfile}\n`);
}
