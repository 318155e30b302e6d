// GETs over a pool of keep-alive node:http connections, as a verifying client holds them: the load generators of
// bench/verify and bench/proofs (fetch cost the bench more CPU than the ledger it measured, on the same two cores).
import { Agent, request } from 'node:http';

export interface KeepAliveGet {
  (path: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): void;
}

export function keepAliveGet(baseUrl: string, maxSockets: number): KeepAliveGet {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  return Object.assign(get, { close: () => agent.destroy() });
}
