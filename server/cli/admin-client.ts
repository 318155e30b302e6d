// The CLI's admin verbs over the ledger's HTTP API (DESIGN.md §9): the same verbs the admin routes serve.

export interface AdminClientOptions {
  readonly url: string;
  readonly token: string | undefined;
}

export async function callAdminApi(
  o: AdminClientOptions,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ ok: boolean; status: number; body: unknown }> {
  if (!o.token) throw new Error('no admin token: pass --token or set PEDIGREE_ADMIN_TOKEN');
  let res: Response;
  try {
    res = await fetch(new URL(path, o.url), {
      method,
      headers: { Authorization: `Bearer ${o.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new Error(`cannot reach the ledger at ${o.url} (${(e as Error).message}); is it running? pass --url to point elsewhere`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text answer
  }
  return { ok: res.ok, status: res.status, body: parsed };
}
