// Turns a JSON-LD EPCIS event into the name/value tree the CBV 2.0 event hash is computed over.
//
// The tree is the XML data model (EPCIS 2.0 XML binding), which is what GS1's reference implementation
// (RalphTro/epcis-event-hash-generator: json_to_py.py, json_xml_model_mismatch_correction.py) maps JSON-LD
// onto so that both syntaxes hash alike: a list `fooList: [a, b]` becomes `fooList` with children `foo`,
// `inputEPCList` items are `epc`, quantity list items are `quantityElement`, a bizTransaction/source/
// destination carries its identifier as its value and its type as a child, `prefix:name` keys become
// `{namespace}name`. Input is attacker-controlled: depth is capped and nothing here throws on odd shapes.

import { expandBareWord, expandVocabularyCurie } from './bare-vocabulary.js';
import { formatNumber } from './canonical-value.js';

export interface HashNode {
  name: string;
  text: string;
  children: HashNode[];
  /** Set when the node is one item of a JSON array (a repeated element). */
  fromArray?: boolean;
}

export interface TreeOptions {
  readonly namespaces: ReadonlyMap<string, string>;
  readonly vocabularyUris: ReadonlySet<string>;
}

/** Deeper JSON is refused (EPCIS events nest 4 levels; user extensions rarely more than a few). */
export const MAX_EVENT_DEPTH = 48;

export class TreeTooDeep extends Error {}

/** Keys that are not event data: JSON-LD keywords, XML-conversion text and rdfs comments (the reference skips these). */
function isSkippedKey(key: string): boolean {
  return key.startsWith('@') || key === '#text' || key === 'rdfs:comment' || key === 'comment';
}

/** `example:myField` → `{https://ns.example.com/epcis/}myField` when the prefix is declared. */
export function expandKey(key: string, namespaces: ReadonlyMap<string, string>): string {
  const colon = key.indexOf(':');
  if (colon <= 0) return key;
  const iri = namespaces.get(key.slice(0, colon));
  return iri === undefined ? key : `{${iri}}${key.slice(colon + 1)}`;
}

function scalarText(value: unknown, options: TreeOptions): string {
  if (typeof value === 'string') {
    const bare = expandBareWord(value, options.vocabularyUris);
    if (bare !== value) return bare;
    return expandVocabularyCurie(value, options.namespaces) ?? value;
  }
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return ''; // null: an element without content
}

function valueNode(name: string, value: unknown, options: TreeOptions, depth: number): HashNode {
  if (depth > MAX_EVENT_DEPTH) throw new TreeTooDeep();
  if (Array.isArray(value)) {
    return { name, text: '', children: value.map((v) => valueNode('', v, options, depth + 1)) };
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const text = typeof obj['#text'] === 'string' ? obj['#text'] : '';
    return { name, text, children: objectChildren(obj, options, depth + 1) };
  }
  return { name, text: scalarText(value, options), children: [] };
}

function objectChildren(obj: Record<string, unknown>, options: TreeOptions, depth: number): HashNode[] {
  const out: HashNode[] = [];
  for (const key of Object.keys(obj)) {
    if (isSkippedKey(key)) continue;
    const name = expandKey(key, options.namespaces);
    const value = obj[key];
    if (Array.isArray(value)) {
      // Each item of a JSON array is one repeated element of that name, as in XML.
      for (const item of value) {
        const node = valueNode(name, item, options, depth + 1);
        node.fromArray = true;
        out.push(node);
      }
    } else {
      out.push(valueNode(name, value, options, depth));
    }
  }
  return out;
}

/** The EPCIS lists; they are JSON arrays of XML list items whatever the input says. */
const EPCIS_LISTS = new Set([
  'epcList', 'inputEPCList', 'outputEPCList', 'quantityList', 'childQuantityList', 'inputQuantityList',
  'outputQuantityList', 'bizTransactionList', 'sourceList', 'destinationList', 'sensorElementList',
]);

/**
 * A `…List` field is a JSON array standing for an XML list element whose items are named without
 * "List" (`fooList: [a]` ≙ `<fooList><foo>a</foo></fooList>`). A user extension `…List` that is an object
 * already is the XML list element itself (as XML converts), so its fields are kept as they are; the
 * reference would add a level there, which no XML document can produce.
 */
function isListItem(node: HashNode): boolean {
  return node.name.endsWith('List') && (node.fromArray === true || EPCIS_LISTS.has(node.name));
}

const QUANTITY_ELEMENT_NAMES = new Set(['inputQuantity', 'outputQuantity', 'childQuantity']);
const ID_CARRIERS = new Set(['bizTransaction', 'source', 'destination']);

/**
 * The XML-model corrections, applied bottom-up to every node (json_xml_model_mismatch_correction.py).
 * The tree is private to one hash computation, so nodes are corrected in place.
 */
function correct(node: HashNode): HashNode {
  const children = node.children;
  if (children.length > 0) {
    let lists: Map<string, HashNode[]> | undefined;
    let childEpcs: HashNode[] | undefined;
    let kept = 0;
    for (const child of children) {
      if (isListItem(child)) {
        lists ??= new Map();
        let items = lists.get(child.name);
        if (!items) lists.set(child.name, (items = []));
        items.push({ name: child.name.slice(0, -4), text: child.text, children: child.children });
      } else if (child.name === 'childEPCs') {
        (childEpcs ??= []).push({ name: 'epc', text: child.text, children: [] });
      } else {
        children[kept++] = child;
      }
    }
    children.length = kept;
    if (lists) for (const [name, items] of lists) children.push({ name, text: '', children: items });
    if (childEpcs) children.push({ name: 'childEPCs', text: '', children: childEpcs });
    for (let i = 0; i < children.length; i++) children[i] = correct(children[i] as HashNode);
  }
  return fix(node);
}

function fix(node: HashNode): HashNode {
  const { name } = node;
  if ((name === 'readPoint' || name === 'bizLocation') && node.children.length === 0 && node.text) {
    node.children.push({ name: 'id', text: node.text, children: [] });
    node.text = '';
  } else if (ID_CARRIERS.has(name)) {
    const at = node.children.findIndex((c) => c.name === name);
    if (at >= 0) {
      node.text = (node.children[at] as HashNode).text;
      node.children.splice(at, 1);
    }
  } else if (name === 'inputEPC' || name === 'outputEPC') {
    node.name = 'epc';
  } else if (QUANTITY_ELEMENT_NAMES.has(name) || (name === 'quantity' && node.children.length > 0)) {
    node.name = 'quantityElement';
  }
  return node;
}

/**
 * The hash tree of one event object: its children (top-level fields), corrected to the XML model.
 * Throws TreeTooDeep (only) when the input nests deeper than MAX_EVENT_DEPTH.
 */
export function eventTree(event: Record<string, unknown>, options: TreeOptions): HashNode {
  return correct({ name: '', text: '', children: objectChildren(event, options, 0) });
}
