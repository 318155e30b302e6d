// The gateway's GET to the ledger over node:http (not fetch, which costs an edge box 10 MB of RSS once used).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from '../../gateway/http-get.js';

describe('a GET to the ledger', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return; // never answers
      if (req.url === '/big') {
        res.end('x'.repeat(10_000));
        return;
      }
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization ?? null }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('returns the status and the body, with the headers it was given', async () => {
    expect(await httpGet(new URL('/v1/devices/gw-1', base), { timeoutMs: 2000, headers: { Authorization: 'Bearer t' } })).toEqual({
      status: 200,
      text: JSON.stringify({ path: '/v1/devices/gw-1', auth: 'Bearer t' }),
    });
    expect((await httpGet(new URL('/missing', base), { timeoutMs: 2000 })).status).toBe(404);
  });

  it('gives up after the timeout, on an oversized answer, and when nobody listens', async () => {
    await expect(httpGet(new URL('/slow', base), { timeoutMs: 200 })).rejects.toThrow(/200 ms/);
    await expect(httpGet(new URL('/big', base), { timeoutMs: 2000, maxBytes: 1000 })).rejects.toThrow(/larger/);
    await expect(httpGet(new URL('http://127.0.0.1:9/'), { timeoutMs: 2000 })).rejects.toThrow();
  });
});
