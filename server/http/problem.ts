// RFC 7807 problem+json for every error the HTTP edge returns; one exhaustive map from codes to statuses.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PedigreeError, type CommandErrorCode } from '../domain/pedigree-error.js';

const STATUS: Record<CommandErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_GLN: 400,
  INVALID_SGLN: 400,
  INVALID_PUBLIC_KEY: 400,
  INVALID_DEVICE_ID: 400,
  INVALID_ROLE: 400,
  PARTY_EXISTS: 409,
  PARTY_NOT_FOUND: 404,
  LOCATION_EXISTS: 409,
  LOCATION_NOT_FOUND: 404,
  DEVICE_EXISTS: 409,
  DEVICE_NOT_FOUND: 404,
  DEVICE_ALREADY_REVOKED: 409,
  ENTRY_NOT_FOUND: 404,
  INDEX_OUT_OF_RANGE: 400,
  SIZE_OUT_OF_RANGE: 400,
  INVALID_RANGE: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNAVAILABLE: 503,
  ALERT_RESOLVED: 409,
  TOKEN_NOT_FOUND: 404,
  TOKEN_ALREADY_REVOKED: 409,
  LAST_ADMIN_TOKEN: 409,
  INVALID_COMPANY_PREFIX: 400,
  PREFIX_TAKEN: 409,
  PARTY_TOKEN_REQUIRED: 403,
  RECALL_NOT_FOUND: 404,
  RECALL_CLOSED: 409,
  RECALL_UNITS_OUTSTANDING: 409,
};

export function statusOf(code: CommandErrorCode): ContentfulStatusCode {
  return STATUS[code];
}

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly [extra: string]: unknown;
}

export function problem(c: Context, status: ContentfulStatusCode, code: string, detail: string, extra: Record<string, unknown> = {}): Response {
  const body: ProblemBody = {
    type: `https://pedigree.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: code,
    status,
    code,
    detail,
    ...extra,
  };
  if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="pedigree"');
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' });
}

export function problemFromError(c: Context, e: PedigreeError): Response {
  return problem(c, statusOf(e.code), e.code, e.message);
}

/** Reads a JSON body; malformed or oversized bodies are a 400, never a 500. The body is attacker-controlled. */
export async function readJsonBody(c: Context, maxBytes = 64 * 1024): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.length > maxBytes) throw new PedigreeError('BAD_REQUEST', `request body exceeds ${maxBytes} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new PedigreeError('BAD_REQUEST', 'request body must be a JSON object');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new PedigreeError('BAD_REQUEST', 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
