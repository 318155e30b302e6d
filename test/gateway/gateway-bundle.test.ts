// The production gateway (`npm run build:gateway`, run by plain node): its precompiled EPCIS validation answers as
// schemas/epcis/validate.ts does, and the bundle starts, reports and stops like `npm run gateway`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGatewayBundle, GATEWAY_NODE_FLAGS } from '../../gateway/build-bundle.js';
import { generateDeviceKey, saveCredentials, saveVerifierKey } from '../../gateway/device-files.js';
import { sha256 as nodeSha256 } from '../../gateway/node-sha256.js';
import { precompileEpcisEventValidator } from '../../gateway/precompile-epcis-validator.js';
import { withPrecompiledEventValidator, type PrecompiledValidator } from '../../gateway/precompiled-epcis-validation.js';
import { buildCommissioningEvent, buildPackingEvent } from '../../schemas/epcis/index.js';
import { MAX_CONTEXT_ENTRIES, validateEpcisEvent } from '../../schemas/epcis/validate.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { formatVkey, SIGNATURE_TYPE_ED25519 } from '../../schemas/signing/signed-note.js';
import { standardsPath } from '../harness/standards-dir.js';
import { REPO_ROOT, waitForLog } from './gateway-fixtures.js';

const EPCIS = standardsPath('epcis');

function walk(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]))
    .sort();
}

/** Every event of GS1's examples and OpenEPCIS's capture documents (valid and invalid). */
function vectorEvents(): unknown[] {
  const files = [...walk(join(EPCIS, 'JSON')).filter((f) => f.endsWith('.jsonld')), ...walk(join(EPCIS, 'openepcis-test-resources/2.0/EPCIS/JSON/Capture'))];
  return files.flatMap((f) => {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as { epcisBody?: { eventList?: unknown[] }; type?: string };
    return doc.epcisBody?.eventList ?? (doc.type ? [doc] : []);
  });
}

describe('the precompiled EPCIS event validator', () => {
  let precompiled: PrecompiledValidator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pedigree-precompiled-'));
    // The standalone code calls require() for ajv's runtime helpers (esbuild resolves them in the bundle).
    const file = join(dir, 'event-validator.mjs');
    const prelude = `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'package.json')).href)});\n`;
    writeFileSync(file, prelude + precompileEpcisEventValidator());
    precompiled = ((await import(pathToFileURL(file).href)) as { default: PrecompiledValidator }).default;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts and refuses exactly what schemas/epcis/validate.ts does', () => {
    const validate = withPrecompiledEventValidator(precompiled, validateEpcisEvent, MAX_CONTEXT_ENTRIES);
    const when = { eventTime: '2024-03-01T09:15:00.123Z', eventTimeZoneOffset: '+01:00', readPoint: { gln: '4012345000009' } };
    const built = [
      buildCommissioningEvent({ ...when, units: [{ gtin: '04012345111118', serial: 'A/1' }], lot: 'L1', expiry: '2027-01-31' }),
      buildPackingEvent({ ...when, sscc: '106141411234567897', units: [{ gtin: '04012345111118', serial: 'A1' }] }),
    ].flatMap((r) => (r.ok ? [r.value] : []));
    expect(built).toHaveLength(2);
    const events = [...vectorEvents(), ...built];
    expect(events.length).toBeGreaterThan(80);
    const variants = events.flatMap((e) => {
      const o = e as Record<string, unknown>;
      return [
        e,
        { ...o, bizStep: 'transforming' }, // a bare word that is not CBV: only the uri format refuses it
        { ...o, eventTime: '2024-13-01T00:00:00Z' },
        { ...o, epcList: ['urn:epc:id:sgtin:0614141.107346.2017', 'urn:epc:id:sgtin:0614141.107346.2017'] },
        { ...o, type: undefined },
        { ...o, '@context': Array.from({ length: MAX_CONTEXT_ENTRIES + 1 }, (_, i) => ({ [`n${i}`]: `https://example.com/${i}` })) },
      ];
    });
    let accepted = 0;
    for (const event of variants) {
      const expected = validateEpcisEvent(event);
      expect(validate(event)).toEqual(expected);
      if (expected.ok) accepted += 1;
    }
    expect(accepted).toBeGreaterThan(40);
    expect(accepted).toBeLessThan(variants.length - 100);
  });
});

describe("the bundle's SHA-256 (node:crypto behind @noble/hashes' interface)", () => {
  it('gives the same digests, in one call and by parts', () => {
    const inputs = [new Uint8Array(0), new TextEncoder().encode('abc'), Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256)];
    for (const data of inputs) {
      expect(nodeSha256(data)).toEqual(nobleSha256(data));
      expect(nodeSha256.create().update(data.subarray(0, 3)).update(data.subarray(3)).digest()).toEqual(nobleSha256(data));
    }
    expect(nodeSha256(new TextEncoder().encode('abc'))).toBeInstanceOf(Uint8Array);
    expect([nodeSha256.outputLen, nodeSha256.blockLen]).toEqual([nobleSha256.outputLen, nobleSha256.blockLen]);
  });
});

describe('the gateway bundle', () => {
  let work: string;
  let bundle: string;
  beforeAll(async () => {
    // Inside the checkout, so that the bundle finds serialport in node_modules, as it does in production.
    mkdirSync(join(REPO_ROOT, 'gateway/dist'), { recursive: true });
    work = mkdtempSync(join(REPO_ROOT, 'gateway/dist/test-'));
    bundle = await buildGatewayBundle({ outfile: join(work, 'gateway.mjs') });
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is what `npm run gateway:start` runs, with the same V8 flags', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['gateway:start']).toBe(`node ${GATEWAY_NODE_FLAGS.join(' ')} gateway/dist/gateway.mjs`);
    expect(scripts['build:gateway']).toBe('tsx gateway/build-bundle.ts');
  });

  it('runs under plain node with the production flags, reports its memory and stops cleanly', async () => {
    const site = join(work, 'site');
    mkdirSync(site);
    writeFileSync(
      join(site, 'site.json'),
      JSON.stringify({
        device: 'gw-bundle',
        site: { party: '4012345000009', location: { gln: '4012345000009', extension: 'b1' } },
        ledger: { mqttUrl: 'mqtt://127.0.0.1:9' },
        scanners: [{ name: 'line', path: join(site, 'no-such-port'), mode: 'commissioning' }],
      }),
    );
    generateDeviceKey(join(site, 'device.key'));
    saveCredentials(join(site, 'mqtt-credentials.json'), { username: 'gw-bundle', password: 'x' });
    saveVerifierKey(join(site, 'ledger.vkey'), formatVkey({ name: 'test/ledger', type: SIGNATURE_TYPE_ED25519, publicKey: generateKeyPair().publicKey }));
    const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, bundle, '--config', join(site, 'site.json'), '--json', '--status-interval', '200'], {
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.resume();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      // No local seq state and no ledger HTTP address: a time-based seq, said in the log.
      const resumed = await waitForLog(child, (l) => typeof l.msg === 'string' && l.msg.includes('time-based seq'), 30_000);
      expect(resumed.seq).toBeGreaterThan(Date.now() * 1000 - 60_000_000);
      const status = (await waitForLog(child, (l) => l.msg === 'status', 30_000)).status as { memory: { rssMb: number }; device: string };
      expect(status.device).toBe('gw-bundle');
      expect(status.memory.rssMb).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(JSON.parse(readFileSync(join(site, 'gateway-data/seq.json'), 'utf8'))).toMatchObject({ device: 'gw-bundle' });
  }, 60_000);
});
