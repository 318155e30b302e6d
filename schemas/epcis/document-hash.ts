// Event hash IDs of every event of an EPCIS 2.0 JSON-LD document or query document, in document order.
//
// Resolves what the reference implementation (RalphTro/epcis-event-hash-generator) takes from the
// document rather than from the event: the @context prefixes, the CBV words used anywhere in the document
// (its bare-word expansion is document-wide) and a repository's `<prefix>:ignoreFields` list, which may sit
// on the document or on `epcisBody.queryResults`. Input is attacker-controlled.

import type { EpcisErrorCode } from '../codes.js';
import { err, ok, type Result } from '../result.js';
import { collectVocabularyUris } from './bare-vocabulary.js';
import { computeEventPreHashInScope, hashIdFromPreHash } from './event-hash.js';
import { expandKey } from './hash-tree.js';
import { namespacesFromContext } from './json-ld-context.js';

export interface DocumentEventHash {
  readonly preHash: string;
  readonly eventHashId: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The events of an EPCISDocument (`epcisBody.eventList`) or EPCISQueryDocument (`…queryResults.resultsBody.eventList`). */
export function documentEvents(doc: unknown): readonly unknown[] | undefined {
  if (!isObject(doc) || !isObject(doc['epcisBody'])) return undefined;
  const body = doc['epcisBody'];
  if (Array.isArray(body['eventList'])) return body['eventList'];
  const results = body['queryResults'];
  if (isObject(results) && isObject(results['resultsBody']) && Array.isArray(results['resultsBody']['eventList'])) {
    return results['resultsBody']['eventList'];
  }
  if (isObject(body['event'])) return [body['event']];
  return undefined;
}

function ignoreFieldsOf(holders: readonly unknown[]): string[] {
  const fields: string[] = [];
  for (const holder of holders) {
    if (!isObject(holder)) continue;
    for (const [key, value] of Object.entries(holder)) {
      if ((key === 'ignoreFields' || key.endsWith(':ignoreFields')) && Array.isArray(value)) {
        for (const f of value) if (typeof f === 'string') fields.push(f);
      }
    }
  }
  return fields;
}

/** Pre-hash string and event hash ID of every event in the document, in order. */
export function computeDocumentEventHashIds(doc: unknown): Result<DocumentEventHash[], EpcisErrorCode> {
  const events = documentEvents(doc);
  if (!isObject(doc) || events === undefined) {
    return err('EPCIS_NOT_HASHABLE', 'not an EPCIS document: no epcisBody.eventList or queryResults.resultsBody.eventList');
  }
  const namespaces = namespacesFromContext(doc['@context']);
  const body = doc['epcisBody'] as Record<string, unknown>;
  const scope = {
    namespaces,
    vocabularyUris: collectVocabularyUris(events, namespaces),
    ignoreFields: new Set(ignoreFieldsOf([doc, body['queryResults']]).map((f) => expandKey(f, namespaces))),
  };
  const out: DocumentEventHash[] = [];
  for (let i = 0; i < events.length; i++) {
    const preHash = computeEventPreHashInScope(events[i], scope);
    if (!preHash.ok) return { ...preHash, path: `/epcisBody/eventList/${i}${preHash.path ?? ''}` };
    out.push({ preHash: preHash.value, eventHashId: hashIdFromPreHash(preHash.value) });
  }
  return ok(out);
}
