// The EPCIS 2.0 JSON-LD @context Pedigree writes, and the namespace prefixes a document's @context declares.

import { CBV_WEB_URI, GS1_VOC_URI } from './cbv.js';

/** EPCIS 2.0 JSON-LD binding: the official inlined context every EPCIS 2.0 JSON-LD document refers to. */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/** CBV 2.0 master data attribute prefix used for ILMD (`cbvmda:lotNumber`, `cbvmda:itemExpirationDate`). */
export const CBVMDA_NAMESPACE = 'urn:epcglobal:cbv:mda:';

/** The @context Pedigree's documents carry: the official context plus an explicit cbvmda prefix. */
export const PEDIGREE_CONTEXT = Object.freeze([EPCIS_CONTEXT_URL, Object.freeze({ cbvmda: CBVMDA_NAMESPACE })] as const);

/** Prefixes the official context defines (epcis-context.jsonld, gs1/EPCIS@2b888be); a document may override them. */
export const DEFAULT_NAMESPACES: Readonly<Record<string, string>> = Object.freeze({
  epcis: 'https://ref.gs1.org/epcis/',
  cbv: CBV_WEB_URI,
  cbvmda: CBVMDA_NAMESPACE,
  gs1: GS1_VOC_URI,
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcterms: 'http://purl.org/dc/terms/',
});

/**
 * The prefix → namespace IRI map of a JSON-LD @context (attacker-controlled): the defaults above,
 * overridden by every `{"prefix": "iri"}` entry with a string value. Remote context URLs add nothing
 * (no I/O here); term definitions that are objects are not prefixes and are skipped.
 */
export function namespacesFromContext(context: unknown): ReadonlyMap<string, string> {
  if (context === undefined || context === null || typeof context === 'string') return DEFAULT_NAMESPACE_MAP;
  if (typeof context !== 'object') return DEFAULT_NAMESPACE_MAP;
  // Only a deeply frozen context (PEDIGREE_CONTEXT) can be cached by identity: anything else may change.
  if (!isDeeplyFrozen(context)) return readContext(context);
  let namespaces = cache.get(context);
  if (!namespaces) cache.set(context, (namespaces = readContext(context)));
  return namespaces;
}

const DEFAULT_NAMESPACE_MAP: ReadonlyMap<string, string> = new Map(Object.entries(DEFAULT_NAMESPACES));
const cache = new WeakMap<object, ReadonlyMap<string, string>>();

function isDeeplyFrozen(context: object): boolean {
  if (!Object.isFrozen(context)) return false;
  return !Array.isArray(context) || context.every((e) => e === null || typeof e !== 'object' || Object.isFrozen(e));
}

function readContext(context: object): ReadonlyMap<string, string> {
  // A Map, not an object: a prefix named `__proto__` must be just a prefix.
  const namespaces = new Map<string, string>(Object.entries(DEFAULT_NAMESPACES));
  const entries = Array.isArray(context) ? context : [context];
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    for (const [prefix, iri] of Object.entries(entry as Record<string, unknown>)) {
      if (typeof iri === 'string' && !prefix.startsWith('@')) namespaces.set(prefix, iri);
    }
  }
  return namespaces;
}
