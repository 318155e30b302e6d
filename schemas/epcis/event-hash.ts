// CBV 2.0 event hash ID (`ni:///sha-256;<hex>?ver=CBV2.0`): the same event gets the same ID however it is written (DESIGN.md §3).
//
// CBV 2.0 "Event hash ID" (hash-based eventID), computed exactly as GS1's reference implementation
// RalphTro/epcis-event-hash-generator (vectors in standards/epcis/event-hash-vectors/, snapshot
// 5d2f1c38) does: the pre-hash string is `eventType=<type>`, then the standard fields in the canonical
// order below as `name=value` (timestamps in UTC at ms precision, EPC URIs and Digital Links in canonical
// Digital Link form, CBV words as Web URIs, numbers normalised), repeated values sorted by their strings,
// then every remaining field (bizTransactionList, sourceList, destinationList, ilmd, user extensions as
// `{namespace}name`) rendered the same way and sorted. eventID, recordTime, errorDeclaration and comments
// are not hashed. The ID is SHA-256 of the UTF-8 pre-hash, hex, in an RFC 6920 `ni` URI.
// Events are attacker-controlled: every outcome is a Result.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { EpcisErrorCode } from '../codes.js';
import { err, ok, type Result } from '../result.js';
import { collectVocabularyUris } from './bare-vocabulary.js';
import { canonicalTimestamp, canonicalValue, stripValue } from './canonical-value.js';
import { TreeTooDeep, eventTree, expandKey, type HashNode } from './hash-tree.js';
import { namespacesFromContext } from './json-ld-context.js';

/** Options for hashing an event outside its document. */
export interface EventHashOptions {
  /**
   * The @context of the document the event came from (or the event's own @context): it declares the
   * prefixes of user extension fields, which are hashed by namespace, not by prefix.
   */
  readonly context?: unknown;
  /**
   * Top-level fields left out of the hash, as CURIEs or `{namespace}name` (a repository's own fields,
   * e.g. the document-level `repository-x:ignoreFields` list the reference honours).
   */
  readonly ignoreFields?: readonly string[];
}

type Order = readonly (readonly [string, Order | null])[];

const QUANTITY: Order = [['quantityElement', [['epcClass', null], ['quantity', null], ['uom', null]]]];
const EPCS: Order = [['epc', null]];

/** The canonical property order of the CBV 2.0 event hash ID (the reference's PROP_ORDER as its vectors show it). */
const PROPERTY_ORDER: Order = [
  ['eventTime', null],
  ['eventTimeZoneOffset', null],
  ['certificationInfo', null],
  ['epcList', EPCS],
  ['parentID', null],
  ['inputEPCList', EPCS],
  ['childEPCs', EPCS],
  ['quantityList', QUANTITY],
  ['childQuantityList', QUANTITY],
  ['inputQuantityList', QUANTITY],
  ['outputEPCList', EPCS],
  ['outputQuantityList', QUANTITY],
  ['action', null],
  ['transformationID', null],
  ['bizStep', null],
  ['disposition', null],
  ['persistentDisposition', [['set', null], ['unset', null]]],
  ['readPoint', [['id', null]]],
  ['bizLocation', [['id', null]]],
  [
    'sensorElementList',
    [
      [
        'sensorElement',
        [
          [
            'sensorMetadata',
            ['time', 'startTime', 'endTime', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules'].map(
              (n) => [n, null] as const,
            ),
          ],
          [
            'sensorReport',
            [
              'type', 'exception', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'time',
              'microorganism', 'chemicalSubstance', 'value', 'component', 'stringValue', 'booleanValue',
              'hexBinaryValue', 'uriValue', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank',
              'percValue', 'uom', 'coordinateReferenceSystem',
            ].map((n) => [n, null] as const),
          ],
        ],
      ],
    ],
  ],
];

/** Top-level fields never hashed (CBV 2.0 event hash ID: eventID, recordTime, errorDeclaration; `type` is the prefix). */
const NOT_HASHED = new Set(['eventID', 'recordTime', 'errorDeclaration', 'type']);

/** Fields rendered as `type=<type><name>=<id>` (CBV 2.0 event hash ID: the type qualifies the identifier). */
const TYPED_IDENTIFIERS = new Set(['bizTransaction', 'source', 'destination']);

/** Sorts strings by Unicode code point, i.e. by UTF-8 bytes, as the reference's Python sort does. */
function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (U+D800–DFFF) encode code points above U+FFFF: they sort after all other BMP units.
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

function sortedJoin(values: string[]): string {
  if (values.length > 1) values.sort(byCodePoint);
  return values.join('');
}

function isNamespaced(node: HashNode): boolean {
  return node.name.startsWith('{');
}

function isTimeField(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.includes('time') && !lower.includes('offset');
}

function renderOrderedChild(child: HashNode, sub: Order | null): string {
  const nested = sub ? renderOrdered(child.children, sub, false) : '';
  let text = '';
  if (child.text) {
    const stripped = stripValue(child.text);
    const value = isTimeField(child.name) ? canonicalTimestamp(stripped) : canonicalValue(stripped);
    if (value) text = `=${value}`;
  }
  return text || nested ? child.name + text + nested : '';
}

/**
 * Renders (and consumes) the children named in `order`, in that order. Below the event level, namespaced
 * children (`{ns}name`, user extensions of that element) are rendered after its standard fields, as the
 * reference's `_gather_user_extensions` does when the element has more than one child. Anything else the
 * order does not name stays in `children`, so its ancestors reach the generic part of the event.
 */
function renderOrdered(children: HashNode[], order: Order, eventLevel: boolean): string {
  let extensions: HashNode[] = [];
  if (!eventLevel && children.length > 1) {
    extensions = children.some(isNamespaced) ? children.filter(isNamespaced) : [];
    if (extensions.length > 0) {
      const kept = children.filter((c) => !isNamespaced(c));
      children.length = 0;
      children.push(...kept);
    }
  }
  let out = '';
  for (const [name, sub] of order) {
    const values: string[] = [];
    // Consumed children are compacted out in one pass: splicing each was quadratic (a recall's epcList of 100,000
    // EPCs took 13 s to hash).
    let kept = 0;
    for (let i = 0; i < children.length; i++) {
      const child = children[i] as HashNode;
      if (child.name === name) {
        const rendered = renderOrderedChild(child, sub);
        if (rendered) values.push(rendered);
        if (child.children.length === 0) continue;
      }
      children[kept++] = child;
    }
    children.length = kept;
    out += sortedJoin(values);
  }
  return extensions.length > 0 ? out + renderGenericList(extensions) : out;
}

function renderGeneric(node: HashNode): string {
  if (TYPED_IDENTIFIERS.has(node.name)) {
    const type = node.children.find((c) => c.name === 'type');
    const others = node.children.filter((c) => c !== type);
    const typeText = type ? stripValue(type.text) : '';
    return (
      (typeText ? `type=${canonicalValue(typeText)}` : '') + valueText(node) + renderGenericList(others)
    );
  }
  return valueText(node) + renderGenericList(node.children);
}

function valueText(node: HashNode): string {
  const text = node.text ? stripValue(node.text) : '';
  return text ? `${node.name}=${canonicalValue(text)}` : node.name;
}

function renderGenericList(nodes: readonly HashNode[]): string {
  return sortedJoin(nodes.map(renderGeneric));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** What computeEventPreHash needs beyond the event: resolved once per document. */
export interface PreHashScope {
  readonly namespaces: ReadonlyMap<string, string>;
  readonly vocabularyUris: ReadonlySet<string>;
  readonly ignoreFields: ReadonlySet<string>;
}

function scopeFor(event: Record<string, unknown>, options: EventHashOptions): PreHashScope {
  const namespaces = namespacesFromContext(options.context ?? event['@context']);
  return {
    namespaces,
    vocabularyUris: collectVocabularyUris([event], namespaces),
    ignoreFields: new Set((options.ignoreFields ?? []).map((f) => expandKey(f, namespaces))),
  };
}

/** The pre-hash string of one event within a resolved scope (used for whole documents). */
export function computeEventPreHashInScope(event: unknown, scope: PreHashScope): Result<string, EpcisErrorCode> {
  if (!isObject(event)) return err('EPCIS_NOT_HASHABLE', 'an EPCIS event must be a JSON object');
  const type = event['type'];
  if (typeof type !== 'string' || type === '') {
    return err('EPCIS_NOT_HASHABLE', 'the event has no "type" (ObjectEvent, AggregationEvent, …)', { path: '/type' });
  }
  let tree: HashNode;
  try {
    tree = eventTree(event, scope);
  } catch (e) {
    if (e instanceof TreeTooDeep || e instanceof RangeError) {
      return err('EPCIS_NOT_HASHABLE', 'the event nests too deeply to be an EPCIS event');
    }
    throw e;
  }
  const fields = scope.ignoreFields.size > 0 ? tree.children.filter((c) => !scope.ignoreFields.has(c.name)) : tree.children;
  const ordered = renderOrdered(fields, PROPERTY_ORDER, true);
  const rest = renderGenericList(fields.filter((c) => !NOT_HASHED.has(c.name)));
  return ok(`eventType=${type}${ordered}${rest}`);
}

/**
 * The CBV 2.0 pre-hash string of an EPCIS 2.0 JSON-LD event (attacker-controlled), exactly as GS1's
 * reference implementation writes it; mainly for diagnosing a hash mismatch.
 */
export function computeEventPreHash(event: unknown, options: EventHashOptions = {}): Result<string, EpcisErrorCode> {
  if (!isObject(event)) return err('EPCIS_NOT_HASHABLE', 'an EPCIS event must be a JSON object');
  return computeEventPreHashInScope(event, scopeFor(event, options));
}

/** `ni:///sha-256;<hex>?ver=CBV2.0` of a pre-hash string (RFC 6920 §3; CBV 2.0 event hash ID). */
export function hashIdFromPreHash(preHash: string): string {
  return hashIdFromDigestHex(bytesToHex(sha256(utf8ToBytes(preHash))));
}

/** `ni:///sha-256;<hex>?ver=CBV2.0` from the hex SHA-256 of a pre-hash string, for callers with a faster SHA-256. */
export function hashIdFromDigestHex(hex: string): string {
  return `ni:///sha-256;${hex}?ver=CBV2.0`;
}

/** The CBV 2.0 event hash ID of an EPCIS 2.0 JSON-LD event (attacker-controlled). */
export function computeEventHashId(event: unknown, options: EventHashOptions = {}): Result<string, EpcisErrorCode> {
  const preHash = computeEventPreHash(event, options);
  return preHash.ok ? ok(hashIdFromPreHash(preHash.value)) : preHash;
}
