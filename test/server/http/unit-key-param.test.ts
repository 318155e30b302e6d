// A unit named in a route's path is parsed once a request, however many handlers (guard, route) ask for it.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { unitKeyParam } from '../../../server/http/unit-key-param.js';

function app() {
  const a = new Hono();
  const seen: unknown[] = [];
  a.use('/v1/verify/01/:gtin/21/:serial', async (c, next) => {
    seen.push(unitKeyParam(c));
    await next();
  });
  a.get('/v1/verify/01/:gtin/21/:serial', (c) => {
    const key = unitKeyParam(c);
    return c.json({ same: seen.at(-1) === key, key });
  });
  return a;
}

describe('unitKeyParam', () => {
  it('parses the unit once a request and hands the guard and the route the same key', async () => {
    const a = app();
    const r = await a.request('/v1/verify/01/09506000134352/21/ABC%2F1');
    expect(await r.json()).toEqual({
      same: true,
      key: { ok: true, value: { epc: 'https://id.gs1.org/01/09506000134352/21/ABC%2F1', gtin: '09506000134352', serial: 'ABC/1' } },
    });
    const other = await (await a.request('/v1/verify/01/9506000134352/21/X2')).json();
    expect(other.key.value).toEqual({ epc: 'https://id.gs1.org/01/09506000134352/21/X2', gtin: '09506000134352', serial: 'X2' });
  });

  it('keeps a malformed GTIN as the parser reported it, code and position', async () => {
    const r = await app().request('/v1/verify/01/09506000134353/21/X1');
    const body = await r.json();
    expect(body.same).toBe(true);
    expect(body.key).toMatchObject({ ok: false, code: 'INCORRECT_CHECK_DIGIT', position: 13 });
  });
});
