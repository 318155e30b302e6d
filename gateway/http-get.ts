// One HTTP GET with node:http(s), for the gateway's few questions to the ledger (its last seq, verify mode).
// Not fetch(): Node's fetch loads undici on first use, about 10 MB of RSS for the rest of the process, an eighth of
// an edge box's budget (bench/RESULTS.md, gateway); node:http is loaded anyway (the MQTT client's dependencies).
// Tests pass a fetch stub instead (`fetch` option), which is used when given.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpGetOptions {
  readonly headers?: Record<string, string>;
  readonly timeoutMs: number;
  /** Used instead of node:http when given (tests). */
  readonly fetch?: typeof fetch;
  /** Largest body read; a longer one fails (the answers are small JSON). */
  readonly maxBytes?: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

export async function httpGet(url: URL, options: HttpGetOptions): Promise<HttpAnswer> {
  if (options.fetch) {
    const res = await options.fetch(url, { headers: options.headers ?? {}, signal: AbortSignal.timeout(options.timeoutMs) });
    return { status: res.status, text: await res.text().catch(() => '') };
  }
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(answer as HttpAnswer);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const req = request(url, { method: 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) finish(new Error(`answer larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish(e));
    });
    req.on('error', (e) => finish(e));
    req.end();
  });
}
