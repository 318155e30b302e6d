// Converts an EPCIS 2.0 (or 1.2) XML document into the EPCIS 2.0 JSON-LD document it stands for.
//
// EPCIS 2.0 XML binding → JSON-LD binding: standard fields have no namespace; lists become
// arrays; `<extension>`/`<baseExtension>` wrappers (EPCIS 1.x) disappear; CBV 1.x URNs in bizStep,
// disposition, bizTransaction/source/destination type and error reason become CBV 2.0 bare words;
// sensor report numbers and booleans become JSON numbers and booleans; user extension elements and
// attributes keep their namespace under a prefix declared in the output @context. A repository's
// `<x:ignoreFields>` list is carried over as `"x:ignoreFields": ["prefix:name", …]`.
// Only what EPCIS events need is covered (enough for GS1's event hash vectors and for capture).
//
// Input is attacker-controlled: DTDs are refused (no entity expansion at all), the XML must be well
// formed, and elements nest at most MAX_XML_DEPTH deep. Callers cap the input size.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EpcisErrorCode } from '../codes.js';
import { err, ok, type Result } from '../result.js';
import {
  BIZ_STEP_VOCABULARY,
  BIZ_TRANSACTION_TYPE_VOCABULARY,
  DISPOSITION_VOCABULARY,
  ERROR_REASON_VOCABULARY,
  SOURCE_DEST_TYPE_VOCABULARY,
  type Vocabulary,
} from './cbv.js';
import { EPCIS_CONTEXT_URL } from './json-ld-context.js';

export const MAX_XML_DEPTH = 64;

const EVENT_TYPES = new Set(['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent']);
const EPC_LISTS = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);
const QUANTITY_LISTS = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);
const SOURCE_DEST_LISTS: Readonly<Record<string, string>> = { sourceList: 'source', destinationList: 'destination' };
const SENSOR_NUMBERS = new Set(['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue']);
const WRAPPERS = new Set(['extension', 'baseExtension']);
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** An element with its namespace resolved (undefined: no namespace, i.e. an EPCIS standard field). */
interface XmlElement {
  readonly ns: string | undefined;
  readonly prefix: string;
  readonly local: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  readonly text: string;
}

interface XmlAttribute {
  readonly ns: string | undefined;
  readonly prefix: string;
  readonly local: string;
  readonly value: string;
}

type Ordered = Record<string, unknown>;

class XmlTooDeep extends Error {}

function splitName(qname: string): [string, string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

/** Resolves prefixes element by element (Namespaces in XML 1.0 §6) over fast-xml-parser's ordered output. */
function resolve(node: Ordered, scope: ReadonlyMap<string, string>, depth: number): XmlElement | undefined {
  if (depth > MAX_XML_DEPTH) throw new XmlTooDeep();
  const tag = Object.keys(node).find((k) => k !== ':@');
  if (tag === undefined || tag === '#text' || tag.startsWith('?') || tag === '#comment') return undefined;
  const rawAttributes = (node[':@'] ?? {}) as Record<string, unknown>;
  let inner = scope;
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      (inner as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), String(value));
    }
  }
  const attributes: XmlAttribute[] = [];
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const [prefix, local] = splitName(name);
    // Unprefixed attributes are in no namespace (Namespaces in XML 1.0 §6.2).
    const ns = prefix === '' ? undefined : prefix === 'xml' ? XML_NS : inner.get(prefix);
    attributes.push({ ns, prefix, local, value: String(value) });
  }
  const [prefix, local] = splitName(tag);
  const uri = inner.get(prefix);
  // EPCIS's own schema namespaces (a document may make one the default) hold standard fields.
  const ns = uri && !uri.startsWith('urn:epcglobal:epcis') ? uri : undefined;
  const children: XmlElement[] = [];
  let text = '';
  const content = node[tag];
  if (Array.isArray(content)) {
    for (const child of content as Ordered[]) {
      if (typeof child['#text'] === 'string' || typeof child['#text'] === 'number') text += String(child['#text']);
      const element = resolve(child, inner, depth + 1);
      if (element) children.push(element);
    }
  }
  return { ns, prefix, local, attributes, children, text: text.trim() };
}

/** Output prefixes for namespaces used by user extensions: the XML's own where it is unambiguous. */
class Prefixes {
  private readonly byNamespace = new Map<string, string>();
  private readonly used = new Set<string>(['epcis', 'cbv', 'cbvmda', 'gs1', 'rdfs', 'owl', 'xsd', 'dcterms']);

  constructor(private readonly declared: ReadonlyMap<string, string>) {}

  prefixFor(ns: string, xmlPrefix: string): string {
    const known = this.byNamespace.get(ns);
    if (known !== undefined) return known;
    let prefix = xmlPrefix !== '' && /^[A-Za-z_][\w.-]*$/.test(xmlPrefix) ? xmlPrefix : 'ns';
    // Keep standard prefixes only for the namespace the EPCIS context gives them.
    if (this.used.has(prefix) && this.declared.get(prefix) !== ns) {
      let i = 1;
      while (this.used.has(`${prefix}${i}`)) i++;
      prefix = `${prefix}${i}`;
    }
    this.used.add(prefix);
    this.byNamespace.set(ns, prefix);
    return prefix;
  }

  context(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [ns, prefix] of this.byNamespace) out[prefix] = ns;
    return out;
  }
}

const STANDARD_CONTEXT_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['cbvmda', 'urn:epcglobal:cbv:mda:'],
  ['gs1', 'https://gs1.org/voc/'],
  ['cbv', 'https://ref.gs1.org/cbv/'],
]);

/** Children with `<extension>` / `<baseExtension>` wrappers (EPCIS 1.x) unwrapped. */
function unwrapped(children: readonly XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of children) {
    if (child.ns === undefined && WRAPPERS.has(child.local)) out.push(...unwrapped(child.children));
    else out.push(child);
  }
  return out;
}

function cbvWord(text: string, vocabulary: Vocabulary): string {
  const prefix = vocabulary.urnPrefix;
  if (prefix !== undefined && text.startsWith(prefix)) {
    const word = text.slice(prefix.length);
    if (vocabulary.words.has(word)) return word;
  }
  return text;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function numberOrText(text: string): number | string {
  if (!DECIMAL.test(text)) return text;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/** Arrays made of repeated elements (as opposed to EPCIS list values), so a third repeat appends. */
const repeated = new WeakSet<unknown[]>();

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (!Object.hasOwn(target, key)) {
    target[key] = value;
    return;
  }
  const existing = target[key];
  if (Array.isArray(existing) && repeated.has(existing)) {
    existing.push(value);
  } else {
    const list = [existing, value];
    repeated.add(list);
    target[key] = list;
  }
}

class Converter {
  constructor(private readonly prefixes: Prefixes) {}

  key(node: { ns: string | undefined; prefix: string; local: string }): string {
    return node.ns === undefined ? node.local : `${this.prefixes.prefixFor(node.ns, node.prefix)}:${node.local}`;
  }

  /** Any element as JSON: text alone, or an object of attributes, children and `#text`. */
  generic(element: XmlElement): unknown {
    const children = unwrapped(element.children);
    if (element.attributes.length === 0 && children.length === 0) return element.text;
    const out: Record<string, unknown> = {};
    for (const a of element.attributes) {
      if (a.ns === 'http://www.w3.org/2001/XMLSchema-instance') continue;
      put(out, this.key(a), a.value);
    }
    for (const child of children) put(out, this.key(child), this.generic(child));
    if (element.text !== '') out['#text'] = element.text;
    return out;
  }

  /** Standard child fields of an object-like element, with its user extensions. */
  private fields(element: XmlElement, standard: (child: XmlElement, out: Record<string, unknown>) => boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const a of element.attributes) {
      if (a.ns === 'http://www.w3.org/2001/XMLSchema-instance') continue;
      put(out, this.key(a), a.value);
    }
    for (const child of unwrapped(element.children)) {
      if (child.ns === undefined && standard(child, out)) continue;
      put(out, this.key(child), this.generic(child));
    }
    return out;
  }

  private quantityElement(element: XmlElement): Record<string, unknown> {
    return this.fields(element, (child, out) => {
      if (child.local === 'quantity') out['quantity'] = numberOrText(child.text);
      else if (child.local === 'epcClass' || child.local === 'uom') out[child.local] = child.text;
      else return false;
      return true;
    });
  }

  private sensorElement(element: XmlElement): Record<string, unknown> {
    return this.fields(element, (child, out) => {
      if (child.local === 'sensorMetadata') {
        out['sensorMetadata'] = this.fields(child, () => false);
      } else if (child.local === 'sensorReport') {
        const report = this.fields(child, () => false);
        for (const name of SENSOR_NUMBERS) if (typeof report[name] === 'string') report[name] = numberOrText(report[name]);
        if (report['booleanValue'] === 'true' || report['booleanValue'] === 'false') {
          report['booleanValue'] = report['booleanValue'] === 'true';
        }
        const reports = (out['sensorReport'] ??= []) as unknown[];
        reports.push(report);
      } else {
        return false;
      }
      return true;
    });
  }

  private errorDeclaration(element: XmlElement): Record<string, unknown> {
    return this.fields(element, (child, out) => {
      if (child.local === 'declarationTime') out['declarationTime'] = child.text;
      else if (child.local === 'reason') out['reason'] = cbvWord(child.text, ERROR_REASON_VOCABULARY);
      else if (child.local === 'correctiveEventIDs') {
        out['correctiveEventIDs'] = unwrapped(child.children).map((c) => c.text);
      } else return false;
      return true;
    });
  }

  /** One EPCIS event element → its JSON-LD object (EPCIS 2.0 JSON-LD binding). */
  event(element: XmlElement): Record<string, unknown> {
    const body = this.fields(element, (child, out) => {
      const name = child.local;
      const items = unwrapped(child.children);
      if (EPC_LISTS.has(name)) {
        out[name] = items.map((c) => c.text);
      } else if (QUANTITY_LISTS.has(name)) {
        out[name] = items.map((c) => this.quantityElement(c));
      } else if (name === 'bizStep') {
        out[name] = cbvWord(child.text, BIZ_STEP_VOCABULARY);
      } else if (name === 'disposition') {
        out[name] = cbvWord(child.text, DISPOSITION_VOCABULARY);
      } else if (name === 'persistentDisposition') {
        const pd: Record<string, string[]> = {};
        for (const c of items) (pd[c.local] ??= []).push(cbvWord(c.text, DISPOSITION_VOCABULARY));
        out[name] = pd;
      } else if (name === 'readPoint' || name === 'bizLocation') {
        out[name] = this.fields(child, (c, o) => (c.local === 'id' ? ((o['id'] = c.text), true) : false));
      } else if (name === 'bizTransactionList') {
        out[name] = items.map((c) => {
          const type = c.attributes.find((a) => a.ns === undefined && a.local === 'type');
          return { ...(type ? { type: cbvWord(type.value, BIZ_TRANSACTION_TYPE_VOCABULARY) } : {}), bizTransaction: c.text };
        });
      } else if (name in SOURCE_DEST_LISTS) {
        const field = SOURCE_DEST_LISTS[name] as string;
        out[name] = items.map((c) => {
          const type = c.attributes.find((a) => a.ns === undefined && a.local === 'type');
          return { ...(type ? { type: cbvWord(type.value, SOURCE_DEST_TYPE_VOCABULARY) } : {}), [field]: c.text };
        });
      } else if (name === 'sensorElementList') {
        out[name] = items.map((c) => this.sensorElement(c));
      } else if (name === 'ilmd') {
        out[name] = this.fields(child, () => false);
      } else if (name === 'errorDeclaration') {
        out[name] = this.errorDeclaration(child);
      } else if (name === 'certificationInfo') {
        put(out, name, child.text);
      } else if (child.children.length === 0 && child.attributes.length === 0) {
        out[name] = child.text; // eventTime, recordTime, eventTimeZoneOffset, eventID, action, parentID, transformationID
      } else {
        return false;
      }
      return true;
    });
    return { type: element.local, ...body };
  }
}

function findElement(element: XmlElement, local: string, depth = 0): XmlElement | undefined {
  if (depth > MAX_XML_DEPTH) return undefined;
  for (const child of element.children) {
    if (child.local === local) return child;
    const found = findElement(child, local, depth + 1);
    if (found) return found;
  }
  return undefined;
}

const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false, // DTDs are refused below; the five predefined entities are decoded by hand
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_XML_DEPTH,
});

function decodePredefinedEntities(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.includes('&')
      ? value.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#\d+);/g, (_, e: string) => {
          if (e === 'lt') return '<';
          if (e === 'gt') return '>';
          if (e === 'amp') return '&';
          if (e === 'quot') return '"';
          if (e === 'apos') return "'";
          const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
          return code <= 0x10ffff ? String.fromCodePoint(code) : '';
        })
      : value;
  }
  if (Array.isArray(value)) return value.map(decodePredefinedEntities);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = decodePredefinedEntities(v);
    return out;
  }
  return value;
}

/**
 * An EPCIS XML document (attacker-controlled text) as an EPCIS 2.0 JSON-LD EPCISDocument or
 * EPCISQueryDocument. Refuses DTDs, malformed XML and documents without an EventList (EPCIS_XML_INVALID).
 */
export function epcisXmlToJsonLd(xml: string): Result<Record<string, unknown>, Extract<EpcisErrorCode, 'EPCIS_XML_INVALID'>> {
  if (typeof xml !== 'string') return err('EPCIS_XML_INVALID', 'the XML document must be a string');
  if (/<!DOCTYPE/i.test(xml)) return err('EPCIS_XML_INVALID', 'DTDs are not allowed in EPCIS XML documents');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return err('EPCIS_XML_INVALID', `malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  }
  let root: XmlElement | undefined;
  try {
    const parsed = decodePredefinedEntities(PARSER.parse(xml)) as Ordered[];
    for (const node of parsed) {
      root = resolve(node, new Map([['xml', XML_NS]]), 0);
      if (root) break;
    }
  } catch (e) {
    // XmlTooDeep, RangeError or the parser's own nesting limit: all mean "not an EPCIS document".
    const reason = e instanceof XmlTooDeep ? `elements nest deeper than ${MAX_XML_DEPTH}` : String((e as Error)?.message ?? e);
    return err('EPCIS_XML_INVALID', `the XML document cannot be read: ${reason}`);
  }
  if (!root || (root.local !== 'EPCISDocument' && root.local !== 'EPCISQueryDocument')) {
    return err('EPCIS_XML_INVALID', 'the root element is not epcis:EPCISDocument or epcisq:EPCISQueryDocument');
  }
  const eventList = findElement(root, 'EventList');
  if (!eventList) return err('EPCIS_XML_INVALID', 'the document has no EventList');

  const declared = new Map(STANDARD_CONTEXT_PREFIXES);
  const prefixes = new Prefixes(declared);
  const converter = new Converter(prefixes);
  const eventList_ = unwrapped(eventList.children)
    .filter((e) => e.ns === undefined && EVENT_TYPES.has(e.local))
    .map((e) => converter.event(e));

  const doc: Record<string, unknown> = {};
  const attribute = (name: string): string | undefined => root?.attributes.find((a) => a.ns === undefined && a.local === name)?.value;
  doc['type'] = root.local;
  doc['schemaVersion'] = attribute('schemaVersion') ?? '2.0';
  const creationDate = attribute('creationDate');
  if (creationDate !== undefined) doc['creationDate'] = creationDate;

  let ignoreHolder: Record<string, unknown> = doc;
  if (root.local === 'EPCISQueryDocument') {
    const results: Record<string, unknown> = {};
    for (const name of ['subscriptionID', 'queryName']) {
      const el = findElement(root, name);
      if (el) results[name] = el.text;
    }
    results['resultsBody'] = { eventList: eventList_ };
    doc['epcisBody'] = { queryResults: results };
    ignoreHolder = results;
  } else {
    doc['epcisBody'] = { eventList: eventList_ };
  }

  // A repository's own list of fields to leave out of the hash (reference implementation, ignoreFields).
  const holders = [root, findElement(root, 'QueryResults')].filter((h): h is XmlElement => h !== undefined);
  for (const holder of holders) {
    for (const child of holder.children) {
      if (child.ns !== undefined && child.local === 'ignoreFields') {
        ignoreHolder[converter.key(child)] = child.children.map((f) => converter.key(f));
      }
    }
  }

  const context = prefixes.context();
  return ok({
    '@context': Object.keys(context).length > 0 ? [EPCIS_CONTEXT_URL, context] : [EPCIS_CONTEXT_URL],
    ...doc,
  });
}
