// RFC 7807 problems of the EPCIS 2.0 REST binding: `type` is `epcisException:<Name>`; `code` is Pedigree's stable code.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type EpcisException =
  | 'ValidationException'
  | 'QueryParameterException'
  | 'QueryTooLargeException'
  | 'CaptureLimitExceededException'
  | 'SecurityException'
  | 'NoSuchNameException'
  | 'UnsupportedMediaTypeException'
  | 'NotAcceptableException'
  | 'ImplementationException';

const TITLES: Record<EpcisException, string> = {
  ValidationException: 'EPCIS validation failed',
  QueryParameterException: 'Invalid query parameter',
  QueryTooLargeException: 'Query result too large',
  CaptureLimitExceededException: 'Capture payload too large',
  SecurityException: 'Access denied',
  NoSuchNameException: 'Resource not found',
  UnsupportedMediaTypeException: 'Unsupported media type',
  NotAcceptableException: 'Not acceptable',
  ImplementationException: 'A server-side error occurred',
};

/** The binding's version headers, on every /epcis answer. */
export const EPCIS_VERSION_HEADERS = { 'GS1-EPCIS-Version': '2.0.0', 'GS1-CBV-Version': '2.0.0' } as const;

export function epcisProblem(
  c: Context,
  status: ContentfulStatusCode,
  exception: EpcisException,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const body = { type: `epcisException:${exception}`, title: TITLES[exception], status, code, detail, ...extra };
  if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="pedigree"');
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json', ...EPCIS_VERSION_HEADERS, ...headers });
}
