// GETs over a pool of keep-alive HTTP/1.1 connections, as a verifying client holds them: the load generators of
// bench/verify and bench/proofs. A plain socket per connection, one request at a time on each (no pipelining),
// with just the response parsing a GET needs (status, Content-Length or chunked body). The load generator shares the
// two cores with what it measures: fetch cost more CPU than the ledger it measured, node:http's client ≈ 75-110 µs
// a request, this ≈ 25 (bench/RESULTS.md, session 5).
import { connect, type Socket } from 'node:net';

export interface KeepAliveGet {
  (path: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): void;
}

interface Request {
  readonly head: string;
  readonly resolve: (r: { status: number; body: string }) => void;
  readonly reject: (e: Error) => void;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const MAX_HEAD = 64 * 1024;

/** One response out of the bytes received so far: its length in bytes, or undefined when more are needed. */
export function parseResponse(buf: Buffer): { status: number; body: string; length: number; close: boolean } | undefined {
  const headEnd = buf.indexOf(HEADER_END);
  if (headEnd < 0) {
    if (buf.length > MAX_HEAD) throw new Error(`response head longer than ${MAX_HEAD} bytes`);
    return undefined;
  }
  const head = buf.toString('latin1', 0, headEnd);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!status) throw new Error(`not an HTTP/1.x response: ${JSON.stringify(head.slice(0, 40))}`);
  const close = /\r\nconnection:\s*close/i.test(head);
  const bodyStart = headEnd + HEADER_END.length;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const end = bodyStart + Number(length[1]);
    if (buf.length < end) return undefined;
    return { status: Number(status[1]), body: buf.toString('utf8', bodyStart, end), length: end, close };
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) throw new Error('response without Content-Length or chunked body');
  const chunks: Buffer[] = [];
  let at = bodyStart;
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buf.toString('latin1', at, lineEnd), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    const dataEnd = lineEnd + 2 + size;
    if (buf.length < dataEnd + 2) return undefined;
    if (size === 0) {
      // No trailers expected: the last chunk is followed by an empty line.
      return { status: Number(status[1]), body: Buffer.concat(chunks).toString('utf8'), length: dataEnd + 2, close };
    }
    chunks.push(buf.subarray(lineEnd + 2, dataEnd));
    at = dataEnd + 2;
  }
}

class Connection {
  #socket: Socket | undefined;
  #buf: Buffer = Buffer.alloc(0);
  #current: Request | undefined;
  /** The current request went out on a connection an earlier response left open. */
  #reused = false;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  get busy(): boolean {
    return this.#current !== undefined;
  }

  send(req: Request, done: () => void): void {
    this.#current = req;
    this.#reused = this.#socket !== undefined;
    const socket = this.#socket ?? this.#open(done);
    socket.write(req.head);
  }

  #open(done: () => void): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.#socket = socket;
    this.#buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      let r: ReturnType<typeof parseResponse>;
      try {
        r = parseResponse(this.#buf);
      } catch (e) {
        this.#fail(e as Error);
        socket.destroy();
        return;
      }
      if (!r) return;
      this.#buf = this.#buf.subarray(r.length);
      const req = this.#current;
      this.#current = undefined;
      if (r.close) {
        this.#socket = undefined;
        socket.destroy();
      }
      req?.resolve({ status: r.status, body: r.body });
      done();
    });
    const lost = (e?: Error) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      const req = this.#current;
      // A server may close an idle keep-alive connection as a request goes out on it: send that one again, once.
      if (req && this.#reused && this.#buf.length === 0) {
        this.send(req, done);
        this.#reused = false;
        return;
      }
      this.#fail(e ?? new Error('connection closed before the response'));
      done();
    };
    socket.on('error', lost);
    socket.on('close', () => lost());
    return socket;
  }

  #fail(e: Error): void {
    const req = this.#current;
    this.#current = undefined;
    req?.reject(e);
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }
}

export function keepAliveGet(baseUrl: string, maxSockets: number): KeepAliveGet {
  const url = new URL(baseUrl);
  const host = url.hostname;
  const port = Number(url.port || 80);
  const connections = Array.from({ length: maxSockets }, () => new Connection(host, port));
  const waiting: Request[] = [];
  let closed = false;
  const next = () => {
    while (waiting.length > 0) {
      const free = connections.find((c) => !c.busy);
      if (!free) return;
      free.send(waiting.shift()!, next);
    }
  };
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      if (closed) {
        reject(new Error('closed'));
        return;
      }
      let head = `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n`;
      for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
      waiting.push({ head: `${head}\r\n`, resolve, reject });
      next();
    });
  return Object.assign(get, {
    close: () => {
      closed = true;
      for (const c of connections) c.close();
      for (const r of waiting.splice(0)) r.reject(new Error('closed'));
    },
  });
}
