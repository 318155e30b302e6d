// Every check on a document sent to POST /epcis/capture that needs no store: its kind, the capture limit, the official
// EPCIS 2.0 JSON Schema (document and each event), and each event's CBV 2.0 event hash ID in the document's scope
// (its @context prefixes and bare-word vocabulary). The document is attacker-controlled.
import { computeDocumentEventHashIds, documentEvents } from '../../schemas/epcis/document-hash.js';
import { validateEpcisDocument, validateEpcisEvent, type EpcisValidationErr } from '../../schemas/epcis/validate.js';
import { ERROR_DECLARATION_SUFFIX, eventIdentifiers } from './event-identifiers.js';
import { eventTimeUtc, findUnstorableValue } from './find-unstorable-value.js';
import type { CaptureErrorBehaviour, CaptureProblem } from './ports.js';

export interface CaptureLimits {
  /** Most events per capture call (GS1-EPCIS-Capture-Limit). */
  readonly maxEvents: number;
}

export interface CheckedEvent {
  /** Position in the document's eventList. */
  readonly position: number;
  readonly event: Record<string, unknown>;
  /** The ledger's key: the event hash ID, suffixed for an errorDeclaration (as for device entries). */
  readonly eventId: string;
  readonly eventTime: string | null;
  readonly identifiers: readonly string[];
}

export type CheckedCaptureDocument =
  | {
      readonly ok: true;
      readonly context: unknown;
      readonly events: readonly CheckedEvent[];
      /** Events refused under `proceed` (under `rollback` any refusal refuses the document). */
      readonly problems: readonly CaptureProblem[];
    }
  | {
      readonly ok: false;
      readonly exception: 'ValidationException' | 'CaptureLimitExceededException';
      readonly detail: string;
      readonly problems: readonly CaptureProblem[];
    };

export const VALIDATION_EXCEPTION = 'epcisException:ValidationException';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The eventList's JSON pointer in either document kind. */
function eventListPointer(doc: Record<string, unknown>): string {
  return doc['type'] === 'EPCISQueryDocument' ? '/epcisBody/queryResults/resultsBody/eventList' : '/epcisBody/eventList';
}

function problem(pointer: string, message: string): CaptureProblem {
  return { type: VALIDATION_EXCEPTION, title: 'EPCIS validation failed', status: 400, detail: `${pointer || '/'}: ${message}`, pointer };
}

function schemaProblems(base: string, refusal: EpcisValidationErr): CaptureProblem[] {
  const errors = refusal.errors.length > 0 ? refusal.errors : [{ path: refusal.path ?? '', message: refusal.message }];
  // The first is the most specific (validate.ts ranks them); the others are context for it.
  return errors.slice(0, 5).map((e) => problem(`${base}${e.path}`, e.message));
}

/** The document with an empty event list: checked against the schema apart from its events. */
function withoutEvents(doc: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...doc };
  const body = isObject(doc['epcisBody']) ? { ...doc['epcisBody'] } : doc['epcisBody'];
  if (isObject(body)) {
    if (Array.isArray(body['eventList'])) body['eventList'] = [];
    const results = body['queryResults'];
    if (isObject(results) && isObject(results['resultsBody'])) {
      body['queryResults'] = { ...results, resultsBody: { ...results['resultsBody'], eventList: [] } };
    }
  }
  copy['epcisBody'] = body;
  return copy;
}

function refused(problems: readonly CaptureProblem[], total: number): CheckedCaptureDocument {
  const first = problems[0];
  const more = total > 1 ? ` (${total - 1} more problem${total > 2 ? 's' : ''} listed in errors)` : '';
  return { ok: false, exception: 'ValidationException', detail: `${first?.detail ?? 'the document is not valid EPCIS 2.0'}${more}`, problems };
}

export function checkCaptureDocument(doc: unknown, behaviour: CaptureErrorBehaviour, limits: CaptureLimits): CheckedCaptureDocument {
  if (!isObject(doc) || (doc['type'] !== 'EPCISDocument' && doc['type'] !== 'EPCISQueryDocument')) {
    const p = problem('/type', 'the body must be an EPCISDocument or EPCISQueryDocument (wrap a single event in an EPCISDocument)');
    return refused([p], 1);
  }
  const events = documentEvents(doc);
  if (events === undefined) return refused([problem('/epcisBody', 'the document has no eventList')], 1);
  if (events.length > limits.maxEvents) {
    return {
      ok: false,
      exception: 'CaptureLimitExceededException',
      detail: `the document has ${events.length} events; at most ${limits.maxEvents} are captured per call (GS1-EPCIS-Capture-Limit)`,
      problems: [],
    };
  }
  const skeleton = validateEpcisDocument(withoutEvents(doc));
  if (!skeleton.ok) return refused(schemaProblems('', skeleton), 1);

  const base = eventListPointer(doc);
  const problems: CaptureProblem[] = [];
  const valid: { position: number; event: Record<string, unknown>; eventTime: string | null }[] = [];
  let invalidEvents = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const v = validateEpcisEvent(event);
    if (!v.ok) {
      invalidEvents++;
      problems.push(...schemaProblems(`${base}/${i}`, v));
      continue;
    }
    const eventTime = eventTimeUtc(event);
    const unstorable = findUnstorableValue(event, true, eventTime);
    if (unstorable !== undefined) {
      invalidEvents++;
      problems.push(problem(`${base}/${i}${unstorable.pointer === '/' ? '' : unstorable.pointer}`, unstorable.reason));
      continue;
    }
    valid.push({ position: i, event: event as Record<string, unknown>, eventTime: eventTime ?? null });
  }
  if (invalidEvents > 0 && (behaviour === 'rollback' || valid.length === 0)) return refused(problems, invalidEvents);

  // Hash in the scope of the document as captured (its @context and vocabulary), the valid events only.
  const hashed = computeDocumentEventHashIds(replaceEvents(doc, valid.map((v) => v.event)));
  if (!hashed.ok) {
    return refused([problem(hashed.path ? hashed.path.replace('/epcisBody/eventList', base) : base, hashed.message)], 1);
  }
  const checked = valid.map((v, i): CheckedEvent => {
    const id = hashed.value[i]!.eventHashId;
    return {
      position: v.position,
      event: v.event,
      eventId: v.event['errorDeclaration'] !== undefined ? `${id}${ERROR_DECLARATION_SUFFIX}` : id,
      eventTime: v.eventTime,
      identifiers: eventIdentifiers(v.event),
    };
  });
  return { ok: true, context: doc['@context'], events: checked, problems };
}

/** An EPCISDocument of the same scope holding only `events` (hash IDs depend on the document, CBV 2.0 §8.9). */
function replaceEvents(doc: Record<string, unknown>, events: readonly unknown[]): Record<string, unknown> {
  const { epcisBody: _body, ...rest } = doc;
  const body = isObject(doc['epcisBody']) ? doc['epcisBody'] : {};
  const results = isObject(body['queryResults']) ? body['queryResults'] : undefined;
  return {
    ...rest,
    type: 'EPCISDocument',
    epcisBody: { eventList: events },
    // A repository's ignoreFields may sit on queryResults (document-hash.ts): keep it in scope.
    ...(results ? ignoreFieldsOf(results) : {}),
  };
}

function ignoreFieldsOf(holder: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(holder).filter(([k]) => k === 'ignoreFields' || k.endsWith(':ignoreFields')));
}
