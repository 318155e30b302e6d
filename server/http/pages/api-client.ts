// Pages read and act through the JSON API, in-process, with the session's bearer token: exactly the access control
// (and regulator query record) an API client gets, with no second set of rules to keep in step.
import type { Session } from './session.js';

export type ApiFetch = (path: string, init: RequestInit) => Response | Promise<Response>;

export interface ApiAnswer {
  readonly status: number;
  readonly ok: boolean;
  /** Parsed JSON (problem+json on errors), or undefined for other bodies. */
  readonly body: any;
  readonly text: string;
  readonly headers: Headers;
}

/** The session's token is no longer accepted (revoked): the page signs the person out. */
export class SessionEndedError extends Error {
  constructor() {
    super('the session token is no longer accepted');
    this.name = 'SessionEndedError';
  }
}

export async function callApi(fetchApi: ApiFetch, session: Session, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetchApi(path, {
    method,
    headers: {
      Authorization: `Bearer ${session.token}`,
      Accept: 'application/json',
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 401) throw new SessionEndedError();
  const text = await res.text();
  let parsed: unknown;
  if (/json/.test(res.headers.get('Content-Type') ?? '')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  return { status: res.status, ok: res.ok, body: parsed, text, headers: res.headers };
}

/** The problem detail of a failed answer, for a person: never a stack trace. */
export function problemText(a: ApiAnswer): string {
  const b = a.body as { detail?: unknown; code?: unknown } | undefined;
  if (b && typeof b.detail === 'string') return typeof b.code === 'string' ? `${b.detail} (${b.code})` : b.detail;
  return a.status >= 500 ? 'the ledger could not answer; try again in a moment' : `the ledger answered ${a.status}`;
}
