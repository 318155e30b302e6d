import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, parseGatewayConfig } from '../../gateway/config.js';

const base = {
  device: 'gw-acme-dock-3',
  site: { party: '4012345000009', location: { gln: '4012345000009', extension: 'dock3' } },
  ledger: { mqttUrl: 'mqtt://ledger:1883', httpUrl: 'http://ledger:8080' },
  scanners: [{ name: 'dock', path: '/dev/ttyACM0', mode: 'shipping', counterparty: { party: '4098765000003' } }],
};

describe('gateway configuration', () => {
  it('fills defaults and resolves paths against the folder of site.json', () => {
    const r = parseGatewayConfig(base, '/etc/pedigree');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.keyFile).toBe('/etc/pedigree/device.key');
    expect(r.config.dataDir).toBe('/etc/pedigree/gateway-data');
    expect(r.config.ledger.verifierKeyFile).toBe('/etc/pedigree/ledger.vkey');
    expect(r.config.site.timeZoneOffset).toBe('+00:00');
    expect(r.config.outbox).toEqual({ segmentBytes: 64 * 1024 * 1024, maxInFlight: 2000, receiptTimeoutMs: 30_000, fsync: true });
    expect(r.config.scanners[0]).toMatchObject({ baudRate: 9600, kind: 'barcode', maxFrameLength: 4096 });
  });

  it('names the field that is wrong', () => {
    const badGln = parseGatewayConfig({ ...base, site: { ...base.site, party: '4012345000008' } }, '/');
    expect(badGln).toEqual({ ok: false, message: 'site config: site.party: GLN check digit is incorrect' });
    const badMode = parseGatewayConfig({ ...base, scanners: [{ ...base.scanners[0], mode: 'selling' }] }, '/');
    expect(badMode.ok ? '' : badMode.message).toMatch(/^site config: scanners\.0\.mode/);
    const verifyWithoutHttp = parseGatewayConfig({ ...base, ledger: { mqttUrl: 'mqtt://x' }, scanners: [{ name: 'v', path: '/dev/x', mode: 'verify' }] }, '/');
    expect(verifyWithoutHttp.ok ? '' : verifyWithoutHttp.message).toMatch(/ledger\.httpUrl/);
    const badTransaction = parseGatewayConfig({ ...base, scanners: [{ ...base.scanners[0], bizTransaction: { type: 'order', id: 'x' } }] }, '/');
    expect(badTransaction.ok).toBe(false);
  });

  it('lets the environment override the broker, the ledger URL, the data folder and the token', () => {
    const r = parseGatewayConfig(base, '/etc/pedigree', {
      PEDIGREE_GATEWAY_MQTT_URL: 'mqtts://broker.example:8883',
      PEDIGREE_GATEWAY_DATA_DIR: '/var/lib/gw',
      PEDIGREE_GATEWAY_TOKEN: 'tok',
    });
    expect(r.ok && r.config.ledger.mqttUrl).toBe('mqtts://broker.example:8883');
    expect(r.ok && r.config.dataDir).toBe('/var/lib/gw');
    expect(r.ok && r.config.ledger.token).toBe('tok');
    expect(parseGatewayConfig(base, '/', { PEDIGREE_GATEWAY_MQTT_URL: 'nope' })).toEqual({ ok: false, message: 'PEDIGREE_GATEWAY_MQTT_URL: PEDIGREE_GATEWAY_MQTT_URL must be a URL' });
  });

  it('reads site.json from --config or PEDIGREE_GATEWAY_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-cfg-'));
    try {
      writeFileSync(join(dir, 'site.json'), JSON.stringify(base));
      expect(loadGatewayConfig(join(dir, 'site.json'), {}).ok).toBe(true);
      expect(loadGatewayConfig(undefined, { PEDIGREE_GATEWAY_CONFIG: join(dir, 'site.json') }).ok).toBe(true);
      expect(loadGatewayConfig(undefined, {}).ok).toBe(false);
      writeFileSync(join(dir, 'broken.json'), '{');
      expect(loadGatewayConfig(join(dir, 'broken.json'), {})).toMatchObject({ ok: false, message: expect.stringContaining('is not JSON') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
