// The unit a route names with `:gtin` and `:serial`, parsed once a request: the visibility guard in front of a route
// and the route itself both need it, and a parse formats the unit's Digital Link (GS1 syntax checks, ≈ 5 KB of
// garbage a verification when it ran twice).
import type { Context } from 'hono';
import type { Gs1ErrorCode } from '../../schemas/codes.js';
import type { Result } from '../../schemas/result.js';
import { readUnitKey, type UnitKey } from '../domain/unit-key.js';

const parsed = new WeakMap<Request, Result<UnitKey, Gs1ErrorCode>>();

export function unitKeyParam(c: Context): Result<UnitKey, Gs1ErrorCode> {
  let key = parsed.get(c.req.raw);
  if (key === undefined) {
    key = readUnitKey(c.req.param('gtin') ?? '', c.req.param('serial') ?? '');
    parsed.set(c.req.raw, key);
  }
  return key;
}
