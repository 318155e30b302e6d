// `gateway enroll`: registers this gateway's public key with the ledger (admin token), stores the MQTT credentials it
// is given and the ledger's verifier key (trust on first use, by the admin setting the gateway up).
import { sglnDigitalLink } from '../schemas/gs1/digital-link.js';
import type { GatewayConfig } from './config.js';
import { loadSecretKey, publicKeyOf, saveCredentials, saveVerifierKey, type MqttCredentials } from './device-files.js';
import { ledgerTrustFromVkey } from './ledger-messages.js';

export interface EnrollOptions {
  readonly adminToken: string;
  /** Also create the party and the location (idempotent): for demos and first installs. */
  readonly createSite?: boolean;
  readonly fetch?: typeof fetch;
}

export interface EnrollResult {
  readonly device: string;
  readonly location: string;
  readonly publicKey: string;
  readonly credentials: MqttCredentials;
  readonly verifierKey: string;
}

async function call(
  f: typeof fetch,
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any; text: string }> {
  const res = await f(new URL(path, base), {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

export async function enrollGateway(config: GatewayConfig, options: EnrollOptions): Promise<EnrollResult> {
  const base = config.ledger.httpUrl;
  if (!base) throw new Error('ledger.httpUrl is needed to enrol (or PEDIGREE_GATEWAY_HTTP_URL)');
  const f = options.fetch ?? fetch;
  const location = sglnDigitalLink(config.site.location.gln, config.site.location.extension);
  if (!location.ok) throw new Error(`site.location: ${location.message}`);
  const publicKey = publicKeyOf(loadSecretKey(config.keyFile));
  const token = options.adminToken;

  if (options.createSite) {
    const party = await call(f, base, token, 'POST', '/v1/parties', {
      gln: config.site.party,
      name: config.site.name ?? `Party ${config.site.party}`,
      role: config.site.role ?? 'manufacturer',
    });
    if (party.status !== 201 && party.json?.code !== 'PARTY_EXISTS') throw new Error(`creating the party: HTTP ${party.status} ${party.text}`);
    const loc = await call(f, base, token, 'POST', '/v1/locations', {
      sgln: location.value,
      party: config.site.party,
      name: config.site.name ?? location.value,
    });
    if (loc.status !== 201 && loc.json?.code !== 'LOCATION_EXISTS') throw new Error(`creating the location: HTTP ${loc.status} ${loc.text}`);
  }

  const vkeyRes = await f(new URL('/v1/verifier-key', base));
  const verifierKey = (await vkeyRes.text()).trim();
  if (vkeyRes.status !== 200 || !ledgerTrustFromVkey(verifierKey).ok) throw new Error(`GET /v1/verifier-key gave no valid vkey (HTTP ${vkeyRes.status})`);

  const dev = await call(f, base, token, 'POST', '/v1/devices', { device: config.device, location: location.value, publicKey });
  if (dev.status !== 201) throw new Error(`enrolling ${config.device}: HTTP ${dev.status} ${dev.text}`);
  const mqtt = dev.json?.mqtt as Partial<MqttCredentials> | undefined;
  if (typeof mqtt?.username !== 'string' || typeof mqtt.password !== 'string') throw new Error('the ledger gave no MQTT credentials');
  const credentials = { username: mqtt.username, password: mqtt.password };
  saveCredentials(config.credentialsFile, credentials);
  saveVerifierKey(config.ledger.verifierKeyFile, verifierKey);
  return { device: config.device, location: location.value, publicKey, credentials, verifierKey };
}
