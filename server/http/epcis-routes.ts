// EPCIS 2.0 REST binding (standards/epcis/REST Bindings/openapi.json): capture (POST /epcis/capture → 202 + capture
// job), capture jobs (GET /epcis/capture/{captureID}) and SimpleEventQuery (GET /epcis/events). Handlers parse, call
// one verb, map; errors are RFC 7807 `epcisException:*` problems. Every request needs a bearer token.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { CaptureService } from '../domain/capture-epcis-document.js';
import { authenticateToken } from '../domain/create-token.js';
import { getCaptureJob } from '../domain/get-capture-job.js';
import { PedigreeError } from '../domain/pedigree-error.js';
import type { AccessStore, CaptureErrorBehaviour, CaptureJobRecord, CaptureJobStore, Clock, EpcisEventStore, RegistryStore } from '../domain/ports.js';
import { queryEpcisEvents } from '../domain/query-epcis-events.js';
import type { AuthVariables } from './auth.js';
import { EPCIS_VERSION_HEADERS, epcisProblem } from './epcis-problem.js';

export interface EpcisRoutesOptions {
  readonly registry: RegistryStore;
  readonly access: AccessStore;
  readonly capture: CaptureService;
  readonly jobs: CaptureJobStore;
  readonly events: EpcisEventStore;
  readonly clock: Clock;
  /** GS1-EPCIS-Capture-Limit (events per call) and GS1-EPCIS-Capture-File-Size-Limit (bytes). */
  readonly captureLimits: { readonly maxEvents: number; readonly maxBytes: number };
  readonly onError?: (error: unknown) => void;
}

type Env = { Variables: AuthVariables };

function captureJobJson(job: CaptureJobRecord) {
  return {
    captureID: job.captureID,
    createdAt: job.createdAt,
    ...(job.finishedAt !== null ? { finishedAt: job.finishedAt } : {}),
    running: job.running,
    success: job.success,
    captureErrorBehaviour: job.behaviour,
    errors: job.errors,
    // Pedigree extensions: how many events the document had, and each appended event's hash ID and log index.
    eventCount: job.eventCount,
    events: job.outcomes,
  };
}

export function epcisRoutes(o: EpcisRoutesOptions): Hono<Env> {
  const app = new Hono<Env>();
  const limitHeaders = {
    'GS1-EPCIS-Capture-Limit': String(o.captureLimits.maxEvents),
    'GS1-EPCIS-Capture-File-Size-Limit': String(o.captureLimits.maxBytes),
  };

  app.use('/epcis/*', async (c, next) => {
    const header = c.req.header('Authorization');
    const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    const caller = m ? await authenticateToken(o.registry, m[1]!) : undefined;
    if (!caller) {
      return epcisProblem(c, 401, 'SecurityException', 'UNAUTHENTICATED', header === undefined ? 'send Authorization: Bearer <token>' : 'the bearer token is unknown or revoked');
    }
    c.set('caller', caller);
    await next();
    for (const [k, v] of Object.entries(EPCIS_VERSION_HEADERS)) c.res.headers.set(k, v);
  });

  app.post(
    '/epcis/capture',
    bodyLimit({
      maxSize: o.captureLimits.maxBytes,
      onError: (c) =>
        epcisProblem(c, 413, 'CaptureLimitExceededException', 'CAPTURE_LIMIT_EXCEEDED', `the document exceeds ${o.captureLimits.maxBytes} bytes (GS1-EPCIS-Capture-File-Size-Limit)`, {}, limitHeaders),
    }),
    async (c) => {
      const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json' && type !== 'application/ld+json') {
        return epcisProblem(c, 415, 'UnsupportedMediaTypeException', 'UNSUPPORTED_MEDIA_TYPE', 'send the EPCIS document as application/json or application/ld+json');
      }
      const raw = c.req.header('GS1-Capture-Error-Behaviour');
      if (raw !== undefined && raw !== 'rollback' && raw !== 'proceed') {
        return epcisProblem(c, 400, 'ValidationException', 'VALIDATION_FAILED', 'GS1-Capture-Error-Behaviour must be rollback or proceed');
      }
      const behaviour: CaptureErrorBehaviour = raw ?? 'rollback';
      let document: unknown;
      try {
        document = JSON.parse(await c.req.text());
      } catch {
        return epcisProblem(c, 400, 'ValidationException', 'VALIDATION_FAILED', 'the body is not JSON');
      }
      const r = await o.capture.captureEpcisDocument(c.get('caller')!, document, behaviour);
      if (!r.ok) {
        return epcisProblem(c, r.status, r.exception, r.code, r.detail, r.problems.length > 0 ? { errors: r.problems } : {}, r.status === 413 ? limitHeaders : {});
      }
      return c.body(null, 202, { Location: `/epcis/capture/${r.captureID}`, ...limitHeaders, 'GS1-Capture-Error-Behaviour': behaviour });
    },
  );

  app.get('/epcis/capture/:captureID', async (c) => {
    const r = await getCaptureJob(o.jobs, c.get('caller')!, c.req.param('captureID'));
    if (!r.ok) {
      return r.reason === 'NOT_FOUND'
        ? epcisProblem(c, 404, 'NoSuchNameException', 'NOT_FOUND', 'no such capture job')
        : epcisProblem(c, 403, 'SecurityException', 'FORBIDDEN', 'this capture job belongs to another party');
    }
    return c.json(captureJobJson(r.job));
  });

  app.get('/epcis/events', async (c) => {
    const accept = c.req.header('Accept');
    if (accept !== undefined && accept !== '' && !/json|\*\/\*|application\/\*/i.test(accept)) {
      return epcisProblem(c, 406, 'NotAcceptableException', 'NOT_ACCEPTABLE', 'query results are EPCIS 2.0 JSON-LD: accept application/json or application/ld+json');
    }
    const url = new URL(c.req.url);
    const r = await queryEpcisEvents({ events: o.events, access: o.access, clock: o.clock }, c.get('caller')!, url.searchParams);
    if (!r.ok) {
      return epcisProblem(c, r.status, r.exception, r.exception === 'QueryTooLargeException' ? 'QUERY_TOO_LARGE' : 'QUERY_PARAMETER_INVALID', r.detail);
    }
    if (r.nextPageToken !== undefined) {
      const next = new URLSearchParams(url.searchParams);
      next.set('nextPageToken', r.nextPageToken);
      c.header('Link', `<${url.pathname}?${next.toString()}>; rel="next"`);
    }
    return c.json(r.document);
  });

  app.onError((e, c: Context) => {
    if (e instanceof PedigreeError && e.code === 'BAD_REQUEST') return epcisProblem(c, 400, 'ValidationException', 'VALIDATION_FAILED', e.message);
    o.onError?.(e);
    return epcisProblem(c, 500, 'ImplementationException', 'INTERNAL', 'an unexpected error occurred; it has been logged');
  });
  return app;
}
