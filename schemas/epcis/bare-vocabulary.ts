// Expands bare CBV words ("shipping", "po", "Temperature") to the Web URIs the EPCIS 2.0 @context maps them to, for the event hash.
//
// The reference implementation (RalphTro/epcis-event-hash-generator, json_to_py.py
// `_bare_string_pre_preocessing`) runs JSON-LD expansion and collects every expanded value that starts
// with a CBV / GS1 Web vocabulary prefix; then every string value v in the input for which exactly one
// collected URI ends with "-v" or "/v" is replaced by that URI. This module reproduces that without a
// JSON-LD processor: the collected set is (a) the context's scoped vocabulary terms in their @vocab
// positions, (b) gs1:/cbv: compact IRIs, (c) literal values that already are such URIs. The reference does
// this across a whole document; `collectVocabularyUris` takes whatever scope the caller gives it.
// Input is attacker-controlled; walks are depth-capped by the caller's tree conversion.

import {
  BIZ_STEP_VOCABULARY,
  BIZ_TRANSACTION_TYPE_VOCABULARY,
  COMPONENT_VOCABULARY,
  DISPOSITION_VOCABULARY,
  ERROR_REASON_VOCABULARY,
  MEASUREMENT_TYPE_VOCABULARY,
  SENSOR_ALERT_VOCABULARY,
  SOURCE_DEST_TYPE_VOCABULARY,
  type Vocabulary,
} from './cbv.js';

const VOCABULARY_URI_PREFIXES = ['https://ref.gs1.org/cbv', 'https://gs1.org/voc', 'https://ref.gs1.org/voc'];

/** Whether a URI is one the reference collects from the expanded document. */
export function isVocabularyUri(uri: string): boolean {
  return VOCABULARY_URI_PREFIXES.some((p) => uri.startsWith(p));
}

/** How deep the walks go; deeper input is not an EPCIS event (the tree conversion refuses it first). */
export const MAX_VOCABULARY_DEPTH = 64;

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function addTerm(out: Set<string>, vocabulary: Vocabulary, value: Json): void {
  if (typeof value === 'string' && vocabulary.words.has(value)) out.add(vocabulary.uriPrefix + value);
}

function addTerms(out: Set<string>, vocabulary: Vocabulary, value: Json): void {
  if (Array.isArray(value)) for (const v of value) addTerm(out, vocabulary, v);
  else addTerm(out, vocabulary, value);
}

function forEachObject(list: Json, visit: (o: Record<string, Json>) => void): void {
  if (Array.isArray(list)) {
    for (const item of list) if (isObject(item)) visit(item);
  } else if (isObject(list)) visit(list);
}

/** (a): bare words in the positions where the EPCIS 2.0 context declares `@type: @vocab`. */
function collectEventTerms(event: Record<string, Json>, out: Set<string>): void {
  addTerm(out, BIZ_STEP_VOCABULARY, event['bizStep']);
  addTerm(out, DISPOSITION_VOCABULARY, event['disposition']);
  const persistent = event['persistentDisposition'];
  if (isObject(persistent)) {
    addTerms(out, DISPOSITION_VOCABULARY, persistent['set']);
    addTerms(out, DISPOSITION_VOCABULARY, persistent['unset']);
  }
  forEachObject(event['bizTransactionList'], (t) => addTerm(out, BIZ_TRANSACTION_TYPE_VOCABULARY, t['type']));
  forEachObject(event['sourceList'], (s) => addTerm(out, SOURCE_DEST_TYPE_VOCABULARY, s['type']));
  forEachObject(event['destinationList'], (d) => addTerm(out, SOURCE_DEST_TYPE_VOCABULARY, d['type']));
  const error = event['errorDeclaration'];
  if (isObject(error)) addTerm(out, ERROR_REASON_VOCABULARY, error['reason']);
  forEachObject(event['sensorElementList'], (element) =>
    forEachObject(element['sensorReport'], (report) => {
      addTerm(out, MEASUREMENT_TYPE_VOCABULARY, report['type']);
      addTerm(out, SENSOR_ALERT_VOCABULARY, report['exception']);
      addTerm(out, COMPONENT_VOCABULARY, report['component']);
    }),
  );
}

/** (b) and (c): vocabulary compact IRIs and literal vocabulary URIs anywhere (but in @context). */
function collectLiterals(value: Json, namespaces: ReadonlyMap<string, string>, out: Set<string>, depth: number): void {
  if (depth > MAX_VOCABULARY_DEPTH) return;
  if (typeof value === 'string') {
    if (isVocabularyUri(value)) out.add(value);
    else {
      const expanded = expandVocabularyCurie(value, namespaces);
      if (expanded !== undefined) out.add(expanded);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) collectLiterals(v, namespaces, out, depth + 1);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (key !== '@context') collectLiterals(value[key], namespaces, out, depth + 1);
    }
  }
}

/** `gs1:Temperature` → `https://gs1.org/voc/Temperature` when the prefix names a GS1 vocabulary namespace. */
export function expandVocabularyCurie(value: string, namespaces: ReadonlyMap<string, string>): string | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0) return undefined;
  const iri = namespaces.get(value.slice(0, colon));
  if (iri === undefined || !(iri.startsWith('https://ref.gs1.org') || iri.startsWith('https://gs1.org'))) return undefined;
  return iri + value.slice(colon + 1);
}

/** The vocabulary URIs the reference's JSON-LD expansion would produce for these events. */
export function collectVocabularyUris(
  events: readonly Json[],
  namespaces: ReadonlyMap<string, string>,
): ReadonlySet<string> {
  const out = new Set<string>();
  for (const event of events) {
    if (!isObject(event)) continue;
    collectEventTerms(event, out);
    collectLiterals(event, namespaces, out, 0);
  }
  return out;
}

/**
 * The reference's bare-string replacement for one string value: the unique collected URI ending with
 * "-value" or "/value", else the value itself.
 */
export function expandBareWord(value: string, uris: ReadonlySet<string>): string {
  let match: string | undefined;
  const dash = `-${value}`;
  const slash = `/${value}`;
  for (const uri of uris) {
    if (uri.endsWith(dash) || uri.endsWith(slash)) {
      if (match !== undefined) return value; // ambiguous: the reference leaves it (and logs a warning)
      match = uri;
    }
  }
  return match ?? value;
}
