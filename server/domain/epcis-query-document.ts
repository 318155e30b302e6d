// Builds the EPCIS 2.0 query document (EPCISQueryDocument, JSON-LD) of a page of stored entries: each event exactly
// as recorded (read from the entry bytes, not the jsonb copy), with the repository's recordTime and, when the event
// had none, the ledger's event hash ID as eventID (REST binding: "the server should populate the event ID").
//
// Events come from documents with their own @context, and two documents may bind one prefix to different namespaces
// (the official examples bind `example` to http://ns.example.com/epcis/ and to https://ns.example.com/epcis). The
// document's @context merges them; a prefix already bound to another namespace is renamed (`example2`) in that
// event's keys. Event hash IDs are computed over namespaces, not prefixes (CBV 2.0 §8.9), so they are unchanged.
import { DEFAULT_NAMESPACES, EPCIS_CONTEXT_URL, PEDIGREE_CONTEXT } from '../../schemas/epcis/json-ld-context.js';
import { parseCaptureEntry } from '../../schemas/signing/capture-entry.js';
import { parseEnvelope } from '../../schemas/signing/envelope.js';
import { ERROR_DECLARATION_SUFFIX } from './event-identifiers.js';
import type { EpcisEventRow } from './ports.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isObject(v: Json): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The recorded event and the @context it was written in; undefined for an entry that holds no EPCIS event. */
export function recordedEvent(row: Pick<EpcisEventRow, 'kind' | 'bytes'>): { event: JsonObject; context: Json } | undefined {
  let json: Json;
  try {
    json = JSON.parse(utf8.decode(row.bytes));
  } catch {
    return undefined;
  }
  if (row.kind === 'capture') {
    const entry = parseCaptureEntry(json);
    return entry.ok ? { event: entry.value.event as JsonObject, context: entry.value.context } : undefined;
  }
  if (row.kind === 'device') {
    const envelope = parseEnvelope(json);
    if (!envelope.ok) return undefined;
    const event = envelope.value.event as JsonObject;
    return { event, context: event['@context'] ?? PEDIGREE_CONTEXT };
  }
  return undefined;
}

/** Merges @contexts: remote context URLs in order, then one object of prefixes and term definitions. */
class ContextMerger {
  readonly urls: string[] = [EPCIS_CONTEXT_URL];
  readonly terms = new Map<string, Json>();

  /** Adds one event's context; returns the prefix renames that event needs. */
  add(context: Json): Map<string, string> {
    const renames = new Map<string, string>();
    const entries = Array.isArray(context) ? context : [context];
    const own = new Set(entries.flatMap((e) => (isObject(e) ? Object.keys(e) : [])));
    for (const entry of entries) {
      if (typeof entry === 'string') {
        if (!this.urls.includes(entry)) this.urls.push(entry);
        continue;
      }
      if (!isObject(entry)) continue;
      for (const [term, definition] of Object.entries(entry)) {
        if (term.startsWith('@')) continue;
        // The official context's prefixes (cbvmda, gs1, …) are bound in every document even when not written out.
        const bound = this.terms.get(term) ?? (Object.hasOwn(DEFAULT_NAMESPACES, term) ? DEFAULT_NAMESPACES[term] : undefined);
        if (bound === undefined || (JSON.stringify(bound) === JSON.stringify(definition) && !this.terms.has(term))) {
          this.terms.set(term, definition);
        } else if (JSON.stringify(bound) !== JSON.stringify(definition)) {
          // Only a prefix (a string namespace) can be renamed in keys; a clashing term definition is dropped.
          if (typeof definition !== 'string') continue;
          // A URI scheme allows letters, digits, + - . only (RFC 3986 §3.1): `example2`, not `example_2`.
          let n = 2;
          let renamed = `${term}${n}`;
          while (own.has(renamed) || Object.hasOwn(DEFAULT_NAMESPACES, renamed) || (this.terms.has(renamed) && this.terms.get(renamed) !== definition)) {
            renamed = `${term}${++n}`;
          }
          this.terms.set(renamed, definition);
          renames.set(term, renamed);
        }
      }
    }
    return renames;
  }

  context(): Json[] {
    return this.terms.size === 0 ? [...this.urls] : [...this.urls, Object.fromEntries(this.terms)];
  }
}

/** Renames `prefix:` keys at every depth (user extensions nest: ilmd, sensorReport, extension objects). */
function renamePrefixes(value: Json, renames: ReadonlyMap<string, string>, depth = 0): Json {
  if (renames.size === 0 || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => renamePrefixes(v, renames, depth + 1));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const colon = key.indexOf(':');
    const renamed = colon > 0 ? renames.get(key.slice(0, colon)) : undefined;
    out[renamed === undefined ? key : `${renamed}${key.slice(colon)}`] = renamePrefixes(v, renames, depth + 1);
  }
  return out;
}

/** The event as answered: recorded fields, the repository's recordTime, an eventID if it had none; no inline @context. */
function answeredEvent(row: EpcisEventRow, event: JsonObject, renames: ReadonlyMap<string, string>): JsonObject {
  const { ['@context']: _context, ...rest } = event;
  const out = renamePrefixes(rest, renames) as JsonObject;
  if (out['eventID'] === undefined && row.eventId !== null) {
    out['eventID'] = row.eventId.endsWith(ERROR_DECLARATION_SUFFIX) ? row.eventId.slice(0, -ERROR_DECLARATION_SUFFIX.length) : row.eventId;
  }
  out['recordTime'] = row.recordTime;
  return out;
}

export function buildQueryDocument(rows: readonly EpcisEventRow[], creationDate: string): JsonObject {
  const merger = new ContextMerger();
  const eventList: JsonObject[] = [];
  for (const row of rows) {
    const recorded = recordedEvent(row);
    if (!recorded) continue;
    const renames = merger.add(recorded.context);
    eventList.push(answeredEvent(row, recorded.event, renames));
  }
  return {
    '@context': merger.context(),
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate,
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList } } },
  };
}
