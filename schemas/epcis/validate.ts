// Validates EPCIS 2.0 documents and single events against GS1's official JSON Schema (DESIGN.md §3).
//
// The schema is `EPCIS-JSON-Schema.json` in this folder, a byte-for-byte copy of
// gs1/EPCIS@2b888befbc071e1c2d388e027b30149b3f51dcef `EPCIS-JSON-Schema.json` (Apache-2.0), kept
// here so that schemas/ needs nothing outside itself at run time.
//
// `format: uri` and `format: date-time` are enforced (ajv-formats, full mode): the schema relies on
// them to refuse non-CBV bare words — `bizStep: "transforming"` only fails because it is not a URI
// (standards/README.md, epcis section; the OpenEPCIS Capture/Invalid vectors).
//
// Input is attacker-controlled. ajv's compiled validators stop at the first failing keyword (allErrors
// is off) and are linear in the input size, with one exception the schema carries: `uniqueItems` over
// items ajv cannot see are strings compares every pair. The in-memory copy therefore states the string
// type next to the `$ref` of epcList and persistentDisposition items (the referenced definitions are
// strings already, so nothing else changes), which lets ajv check uniqueness with a hash map; and an
// @context array — objects, compared pairwise — longer than MAX_CONTEXT_ENTRIES is refused up front.
// Callers still cap the input size (the ledger caps an envelope at its MQTT payload limit).

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import schema from './EPCIS-JSON-Schema.json' with { type: 'json' };
import type { EpcisErrorCode } from '../codes.js';
import { ok, type Err, type Ok } from '../result.js';

/** One schema violation: where (RFC 6901 JSON pointer into the input) and what. */
export interface EpcisSchemaError {
  readonly path: string;
  readonly message: string;
}

/** A refusal that lists every violation ajv reported (at most {@link MAX_REPORTED_ERRORS}). */
export type EpcisValidationErr = Err<Extract<EpcisErrorCode, 'EPCIS_SCHEMA_INVALID'>> & {
  readonly errors: readonly EpcisSchemaError[];
};

export type EpcisValidationResult<T> = Ok<T> | EpcisValidationErr;

/** How many violations a refusal lists; the rest are counted in the message. */
export const MAX_REPORTED_ERRORS = 20;

const SCHEMA_ID = 'https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json';

/** Longest @context array accepted; real documents have a handful of entries. */
export const MAX_CONTEXT_ENTRIES = 64;

type SchemaObject = Record<string, unknown>;

/** A copy of the official schema whose string-list `uniqueItems` checks are linear (see the file comment). */
function withLinearUniqueItems(source: SchemaObject): SchemaObject {
  const copy = structuredClone(source);
  const definitions = copy['definitions'] as Record<string, SchemaObject>;
  const stringItems = [
    definitions['epcList'],
    ((definitions['persistentDisposition']?.['allOf'] as SchemaObject[] | undefined)?.[0]?.['properties'] as
      | Record<string, SchemaObject>
      | undefined)?.['set'],
    ((definitions['persistentDisposition']?.['allOf'] as SchemaObject[] | undefined)?.[0]?.['properties'] as
      | Record<string, SchemaObject>
      | undefined)?.['unset'],
  ];
  for (const list of stringItems) {
    const items = list?.['items'] as SchemaObject | undefined;
    if (!list || list['uniqueItems'] !== true || !items || typeof items['$ref'] !== 'string') {
      throw new Error('EPCIS JSON Schema layout changed: revisit withLinearUniqueItems'); // programming error
    }
    items['type'] = 'string';
  }
  return copy;
}

function contextTooLong(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const context = (value as SchemaObject)['@context'];
  return Array.isArray(context) && context.length > MAX_CONTEXT_ENTRIES;
}

function eventsOf(doc: unknown): unknown[] {
  if (doc === null || typeof doc !== 'object') return [];
  const body = (doc as SchemaObject)['epcisBody'] as SchemaObject | undefined;
  const list = body?.['eventList'] ?? ((body?.['queryResults'] as SchemaObject | undefined)?.['resultsBody'] as SchemaObject | undefined)?.['eventList'];
  return Array.isArray(list) ? list : [];
}

function refuseLongContext(what: string, path: string): EpcisValidationErr {
  const message = `@context has more than ${MAX_CONTEXT_ENTRIES} entries`;
  return {
    ok: false,
    code: 'EPCIS_SCHEMA_INVALID',
    message: `${what} is refused: ${path}: ${message}`,
    path,
    errors: [{ path, message }],
  };
}

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv, formats: string[]) => Ajv;

interface Validators {
  readonly document: ValidateFunction;
  readonly event: ValidateFunction;
}

let compiled: Validators | undefined;

/** Compiles the schema on first use only: importing this module costs nothing. */
function validators(): Validators {
  if (compiled) return compiled;
  const ajv = new Ajv({
    allErrors: false,
    strict: false, // the official schema uses `if` without `else` and unknown-format-free draft-07 only
    validateFormats: true,
    validateSchema: false,
  });
  addFormats(ajv, ['uri', 'date-time']);
  ajv.addSchema(withLinearUniqueItems(schema as SchemaObject), SCHEMA_ID);
  const document = ajv.getSchema(SCHEMA_ID);
  // An event inside a document has no @context of its own; EPCIS-Document-Event is exactly what
  // the schema applies to each eventList item (EPCIS 2.0 JSON-LD binding).
  const event = ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/EPCIS-Document-Event` });
  if (!document) throw new Error('EPCIS JSON Schema failed to load'); // programming error, not input
  compiled = { document, event };
  return compiled;
}

// Combinators only say "a branch failed"; the leaf keywords say why. Deepest path first, then leaves.
const KEYWORD_RANK: Readonly<Record<string, number>> = {
  propertyNames: -1,
  required: -1,
  additionalProperties: -1,
  enum: 1, anyOf: 2, oneOf: 2, allOf: 2, if: 2, then: 2 };

function depth(pointer: string): number {
  let n = 0;
  for (let i = 0; i < pointer.length; i++) if (pointer.charCodeAt(i) === 0x2f) n++;
  return n;
}

function toSchemaErrors(errors: readonly ErrorObject[] | null | undefined): EpcisSchemaError[] {
  const ranked = [...(errors ?? [])].sort(
    (a, b) =>
      depth(b.instancePath) - depth(a.instancePath) ||
      (KEYWORD_RANK[a.keyword] ?? 0) - (KEYWORD_RANK[b.keyword] ?? 0),
  );
  return ranked.slice(0, MAX_REPORTED_ERRORS).map((e) => ({ path: e.instancePath, message: describe(e) }));
}

function describe(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  const name = (e as { propertyName?: string }).propertyName;
  const own = describeKeyword(e, params);
  return name !== undefined && e.keyword !== 'propertyNames' ? `property name "${name}": ${own}` : own;
}

function describeKeyword(e: ErrorObject, params: Record<string, unknown>): string {
  switch (e.keyword) {
    case 'required':
      return `missing required property "${String(params['missingProperty'])}"`;
    case 'enum':
      return `must be one of ${JSON.stringify(params['allowedValues']).slice(0, 300)}`;
    case 'format':
      return `must be a valid ${String(params['format'])}`;
    case 'propertyNames':
      return `property name "${String(params['propertyName'])}" is not allowed (not an EPCIS field and not a namespaced URI/CURIE)`;
    case 'additionalProperties':
      return `unknown property "${String(params['additionalProperty'])}"`;
    default:
      return e.message ?? e.keyword;
  }
}

function refuse(what: string, errors: readonly ErrorObject[] | null | undefined): EpcisValidationErr {
  const list = toSchemaErrors(errors);
  const total = errors?.length ?? 0;
  const first = list[0];
  const head = first ? `${first.path || '(root)'}: ${first.message}` : 'schema validation failed';
  const more = total > 1 ? ` (and ${total - 1} more)` : '';
  return {
    ok: false,
    code: 'EPCIS_SCHEMA_INVALID',
    message: `${what} does not conform to the EPCIS 2.0 JSON Schema: ${head}${more}`,
    ...(first ? { path: first.path } : {}),
    errors: list,
  };
}

/**
 * Validates an EPCISDocument or EPCISQueryDocument (attacker-controlled, already JSON-parsed)
 * against the official EPCIS 2.0 JSON Schema, root definition.
 */
export function validateEpcisDocument(doc: unknown): EpcisValidationResult<unknown> {
  if (contextTooLong(doc)) return refuseLongContext('EPCIS document', '/@context');
  const events = eventsOf(doc);
  for (let i = 0; i < events.length; i++) {
    if (contextTooLong(events[i])) return refuseLongContext('EPCIS document', `/epcisBody/eventList/${i}/@context`);
  }
  const v = validators().document;
  return v(doc) ? ok(doc) : refuse('EPCIS document', v.errors);
}

/**
 * Validates one event as it appears in an eventList (no @context needed) against
 * `#/definitions/EPCIS-Document-Event` of the official schema.
 */
export function validateEpcisEvent(event: unknown): EpcisValidationResult<unknown> {
  if (contextTooLong(event)) return refuseLongContext('EPCIS event', '/@context');
  const v = validators().event;
  return v(event) ? ok(event) : refuse('EPCIS event', v.errors);
}
