// The benchmarks' HTTP load generator (bench/lib/keep-alive-get.ts) against node:http: bodies with a length or
// chunked, kept-alive connections reused, a connection the server closes, headers sent.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveGet, parseResponse } from '../../bench/lib/keep-alive-get.js';

let server: Server;
let base: string;
const sockets = new Set<unknown>();
let lastRequest: IncomingMessage | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    lastRequest = req;
    sockets.add(req.socket);
    if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":"é');
      setTimeout(() => res.end('"}'), 5);
    } else if (req.url === '/close') {
      res.writeHead(404, { connection: 'close', 'content-length': '4' });
      res.end('gone');
    } else {
      const body = JSON.stringify({ path: req.url, auth: req.headers.authorization ?? null });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('keepAliveGet', () => {
  it('reads bodies with a Content-Length and sends the headers given', async () => {
    const get = keepAliveGet(base, 2);
    const r = await get('/v1/verify?x=1', { authorization: 'Bearer t' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ path: '/v1/verify?x=1', auth: 'Bearer t' });
    expect(lastRequest?.headers.host).toBe(new URL(base).host);
    get.close();
  });

  it('reads chunked bodies split across packets, in UTF-8', async () => {
    const get = keepAliveGet(base, 1);
    const r = await get('/chunked');
    expect(r).toEqual({ status: 200, body: '{"a":"é"}' });
    get.close();
  });

  it('keeps at most the given number of connections and reuses them', async () => {
    sockets.clear();
    const get = keepAliveGet(base, 3);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => get(`/n/${i}`)));
    expect(answers.map((a) => JSON.parse(a.body).path)).toEqual(Array.from({ length: 30 }, (_, i) => `/n/${i}`));
    expect(sockets.size).toBe(3);
    get.close();
  });

  it('opens a new connection after the server closes one, and after it drops idle ones', async () => {
    const get = keepAliveGet(base, 1);
    expect((await get('/close')).status).toBe(404);
    expect((await get('/after')).status).toBe(200);
    server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse((await get('/again')).body).path).toBe('/again');
    get.close();
  });

  it('refuses what is not an HTTP response, and waits for a whole one', () => {
    expect(() => parseResponse(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/not an HTTP/);
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nabc'))).toBeUndefined();
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP'))).toMatchObject({ status: 200, body: 'abc', length: 41 });
  });
});
