// Custody read API (DESIGN.md §§6–7): pharmacist verification, unit state, container contents. Handlers parse,
// call one verb, map. Any valid token may read (role-based visibility is issue 6); no token is a 401.
import { Hono, type Context } from 'hono';
import type { Err } from '../../schemas/result.js';
import { alertJson } from '../domain/apply-custody-rules.js';
import type { UnitState } from '../domain/custody-model.js';
import type { CheckpointCache } from '../domain/checkpoint-cache.js';
import { getContainer } from '../domain/get-container.js';
import { getUnit } from '../domain/get-unit.js';
import { PARTY_ROLES, type Clock, type ContainerNode, type CustodyStore, type LedgerStore, type Notifier } from '../domain/ports.js';
import { readExpiry, readScan, readSsccKey, type UnitQuery } from '../domain/unit-key.js';
import { verifyUnit, type Verification } from '../domain/verify-unit.js';
import { requireRole, type AuthVariables } from './auth.js';
import { inclusionProofText } from './inclusion-proof-text.js';
import { problem } from './problem.js';
import { unitKeyParam } from './unit-key-param.js';

export interface CustodyRoutesOptions {
  readonly custody: CustodyStore;
  readonly store: LedgerStore;
  readonly checkpoints: CheckpointCache;
  readonly clock: Clock;
  readonly notifier?: Pick<Notifier, 'publishAlert'>;
}

const MAX_CORR_UUID = 128;

export function unitJson(s: UnitState) {
  return {
    epc: s.epc,
    kind: s.kind,
    ...(s.kind === 'unit' ? { gtin: s.gtin, serial: s.serial } : { sscc: s.sscc }),
    state: s.state,
    recalled: s.recalled,
    quarantined: s.quarantined,
    lot: s.lot,
    expiry: s.expiry,
    owner: s.owner,
    custodian: s.custodian,
    location: s.location,
    destination: s.state === 'in_transit' ? { party: s.destinationParty, location: s.destinationLocation } : null,
    container: s.container,
    commissionedIndex: s.commissionedIndex,
    lastIndex: s.lastIndex,
    lastEventTime: s.lastEventTime || null,
  };
}

function containerJson(n: ContainerNode): Record<string, unknown> {
  return { ...unitJson(n.state), ...(n.state.kind === 'container' ? { contents: n.contents.map(containerJson) } : {}) };
}

/**
 * The verification answer's JSON bytes: the fields before the proof by JSON.stringify, the proof by hand
 * (inclusion-proof-text.ts: ASCII). `proof` is the last field, as it always was. Both texts are written into the
 * answer's buffer where they go: joined as strings first, the ≈ 4.8 KB answer was copied once more to flatten it.
 */
export function verificationBytes(v: Verification): Buffer<ArrayBuffer> {
  const head = JSON.stringify({
    verificationTimestamp: v.verificationTimestamp,
    responderGLN: v.responderGLN,
    data: v.data,
    corrUUID: v.corrUUID,
    unit: v.unit ? unitJson(v.unit) : null,
    pedigree: v.pedigree,
    alerts: v.alerts.map(alertJson),
  });
  const proof = v.proof ? inclusionProofText({ ...v.proof.inclusionProof, entry: v.proof.entry, checkpoint: v.proof.checkpoint }) : 'null';
  const headBytes = Buffer.byteLength(head);
  const out = Buffer.allocUnsafe(headBytes - 1 + PROOF_KEY.length + proof.length + 1) as Buffer<ArrayBuffer>;
  // The head's closing brace is overwritten by the proof's key.
  let at = out.write(head, 0, headBytes, 'utf8') - 1;
  at += out.write(PROOF_KEY, at, 'latin1');
  at += out.write(proof, at, 'latin1');
  out[at] = 0x7d; // }
  return out;
}

const PROOF_KEY = ',"proof":';

/** A malformed identifier or scan: 400 with the GS1 parser's code and the position of the first bad character. */
function badIdentifier(c: Context, e: Err): Response {
  return problem(c, 400, e.code, e.message, {
    ...(e.position !== undefined ? { position: e.position } : {}),
    ...(e.path !== undefined ? { path: e.path } : {}),
  });
}

export function custodyRoutes(o: CustodyRoutesOptions): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const reader = requireRole(...PARTY_ROLES);
  const verify = async (c: Context<{ Variables: AuthVariables }>, query: UnitQuery) => {
    const corrUUID = c.req.query('corrUUID');
    if (corrUUID !== undefined && (corrUUID.length === 0 || corrUUID.length > MAX_CORR_UUID)) {
      return problem(c, 400, 'BAD_REQUEST', `corrUUID must be 1-${MAX_CORR_UUID} characters`);
    }
    const v = await verifyUnit(o, { ...query, ...(corrUUID !== undefined ? { corrUUID } : {}) }, { party: c.get('caller')?.party ?? null });
    // As bytes: a string body is measured, then joined to the header block and copied out again on every write.
    return c.body(verificationBytes(v), 200, { 'Content-Type': 'application/json' });
  };

  app.get('/v1/verify', reader, async (c) => {
    const scan = c.req.query('scan');
    if (scan === undefined) return problem(c, 400, 'BAD_REQUEST', 'give ?scan=<raw scanner string or Digital Link> or GET /v1/verify/01/{gtin}/21/{serial}');
    const parsed = readScan(scan);
    return parsed.ok ? verify(c, parsed.value) : badIdentifier(c, parsed);
  });
  app.get('/v1/verify/01/:gtin/21/:serial', reader, async (c) => {
    const key = unitKeyParam(c);
    if (!key.ok) return badIdentifier(c, key);
    const lot = c.req.query('lot');
    const exp = c.req.query('exp');
    let expiry: string | undefined;
    if (exp !== undefined && exp !== '') {
      const e = readExpiry(exp);
      if (!e.ok) return badIdentifier(c, { ...e, path: 'exp' });
      expiry = e.value;
    }
    return verify(c, { ...key.value, ...(lot !== undefined && lot !== '' ? { lot } : {}), ...(expiry !== undefined ? { expiry } : {}) });
  });
  app.get('/v1/units/01/:gtin/21/:serial', reader, async (c) => {
    const key = unitKeyParam(c);
    if (!key.ok) return badIdentifier(c, key);
    const u = await getUnit(o.custody, key.value.epc);
    return c.json({ unit: unitJson(u.state), alerts: u.alerts.map(alertJson), steps: u.steps });
  });
  app.get('/v1/containers/00/:sscc', reader, async (c) => {
    const key = readSsccKey(c.req.param('sscc'));
    if (!key.ok) return badIdentifier(c, key);
    return c.json(containerJson(await getContainer(o.custody, key.value.epc)));
  });
  return app;
}
