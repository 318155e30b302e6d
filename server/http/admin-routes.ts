// Admin API (DESIGN.md §9): parties, locations, devices, tokens, rejections. Handlers parse, call one verb, map.
import { Hono } from 'hono';
import { encodeBase64, encodeBase64url } from '../../schemas/signing/encoding.js';
import type { DeviceRecord, LedgerStore, RegistryStore } from '../domain/ports.js';
import { createParty } from '../domain/create-party.js';
import { createLocation } from '../domain/create-location.js';
import { enrollDevice, type MqttCredentialIssuer } from '../domain/enroll-device.js';
import { revokeDevice } from '../domain/revoke-device.js';
import { rotateDeviceKey } from '../domain/rotate-device-key.js';
import { createToken } from '../domain/create-token.js';
import { PedigreeError } from '../domain/pedigree-error.js';
import { requireRole, type AuthVariables } from './auth.js';
import { readJsonBody } from './problem.js';
import { parseOptionalIndexParam } from './query-params.js';

export interface AdminRoutesOptions {
  readonly registry: RegistryStore;
  readonly store: LedgerStore;
  readonly credentials: MqttCredentialIssuer;
  /** Told when a device changes, so caches drop it and the broker closes a revoked device's session. */
  readonly onDeviceChanged?: (device: string, change: 'revoked' | 'rotated') => void;
}

export function deviceJson(d: DeviceRecord) {
  const current = d.keys.at(-1);
  return {
    device: d.device,
    location: d.location,
    party: d.party,
    publicKey: current ? encodeBase64url(current.publicKey) : null,
    status: d.status,
    keys: d.keys.map((k) => ({ keyNo: k.keyNo, publicKey: encodeBase64url(k.publicKey), fromSeq: k.fromSeq })),
  };
}

export function adminRoutes(o: AdminRoutesOptions): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const admin = requireRole();

  app.get('/v1/devices/:device', async (c) => {
    const d = await o.registry.findDevice(c.req.param('device'));
    if (!d) throw new PedigreeError('DEVICE_NOT_FOUND', `device ${c.req.param('device').slice(0, 64)} is not enrolled`);
    // lastSeq: the highest seq in the log for the device (null: none yet). A gateway that lost its local state
    // continues above it rather than reuse a seq (SEQ_REUSED, DESIGN.md §3). Public like the entries that carry it.
    const highest = await o.registry.highestSeq(d.device);
    return c.json({ ...deviceJson(d), lastSeq: highest < 0 ? null : highest });
  });
  app.get('/v1/devices', admin, async (c) => c.json({ devices: (await o.registry.listDevices()).map(deviceJson) }));
  app.post('/v1/parties', admin, async (c) => {
    const body = await readJsonBody(c);
    return c.json(await createParty(o.registry, { gln: body.gln, name: body.name, role: body.role }), 201);
  });
  app.get('/v1/parties', admin, async (c) => c.json({ parties: await o.registry.listParties() }));
  app.post('/v1/locations', admin, async (c) => {
    const body = await readJsonBody(c);
    return c.json(await createLocation(o.registry, { sgln: body.sgln, party: body.party, name: body.name }), 201);
  });
  app.get('/v1/locations', admin, async (c) => c.json({ locations: await o.registry.listLocations() }));
  app.post('/v1/devices', admin, async (c) => {
    const body = await readJsonBody(c);
    return c.json(await enrollDevice(o.registry, o.credentials, { device: body.device, location: body.location, publicKey: body.publicKey }), 201);
  });
  app.post('/v1/devices/:device/revoke', admin, async (c) => {
    const device = c.req.param('device');
    await revokeDevice(o.registry, device);
    o.onDeviceChanged?.(device, 'revoked');
    return c.json(deviceJson((await o.registry.findDevice(device))!));
  });
  app.post('/v1/devices/:device/rotate', admin, async (c) => {
    const device = c.req.param('device');
    const body = await readJsonBody(c);
    const key = await rotateDeviceKey(o.registry, device, { publicKey: body.publicKey, fromSeq: body.fromSeq });
    o.onDeviceChanged?.(device, 'rotated');
    return c.json({ device, keyNo: key.keyNo, publicKey: encodeBase64url(key.publicKey), fromSeq: key.fromSeq });
  });
  app.post('/v1/tokens', admin, async (c) => {
    const body = await readJsonBody(c);
    return c.json(await createToken(o.registry, { party: body.party, role: body.role }), 201);
  });
  app.get('/v1/rejections', admin, async (c) => {
    const limit = Math.min(parseOptionalIndexParam(c.req.query('limit'), 'limit') ?? 100, 1000);
    const beforeId = parseOptionalIndexParam(c.req.query('before'), 'before');
    const rows = await o.store.listRejections({
      device: c.req.query('device'),
      code: c.req.query('code'),
      limit,
      ...(beforeId !== undefined ? { beforeId } : {}),
    });
    return c.json({
      rejections: rows.map((r) => ({ ...r, raw: encodeBase64(r.raw) })),
      next: rows.length === limit ? `/v1/rejections?before=${rows.at(-1)!.id}&limit=${limit}` : null,
    });
  });
  return app;
}
