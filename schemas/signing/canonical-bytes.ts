// The bytes we sign and hash for JSON: RFC 8785 (JCS) canonical JSON behind a domain-separation prefix.
import canonicalize from 'canonicalize';
import { concatBytes, encodeUtf8, isWellFormedUnicode } from './encoding.js';

export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * Deepest nesting accepted in signed JSON. EPCIS events nest about 6 levels; the limit keeps hostile input
 * from exhausting the stack in the checker or in `canonicalize` (which recurses).
 */
export const MAX_JSON_DEPTH = 64;

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What `jsonShape` finds: not JSON data; JSON data whose object keys all enumerate in RFC 8785 order; other JSON. */
const NOT_JSON = 0;
const SORTED_JSON = 1;
const UNSORTED_JSON = 2;
type JsonShape = typeof NOT_JSON | typeof SORTED_JSON | typeof UNSORTED_JSON;

/**
 * Checks `value` is plain JSON data and, in the same walk, whether every object's keys already enumerate in RFC 8785
 * order (UTF-16 code units, which is what `<` compares). When they do, JSON.stringify writes exactly the canonical
 * text: JCS serialises strings and numbers as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2) and only adds the
 * key order. JSON.parse keeps document order, so canonical input (what our gateways publish) stays canonical.
 * Integer-like keys ("10", "9") enumerate numerically in JavaScript, never in code-unit order, so such objects
 * report unsorted and take the general path.
 */
function jsonShape(value: unknown, depth: number): JsonShape {
  switch (typeof value) {
    case 'string':
      // RFC 8785 §3.2.2.2 / I-JSON (RFC 7493 §2.1): strings must be valid Unicode, else UTF-8 is ambiguous.
      return isWellFormedUnicode(value) ? SORTED_JSON : NOT_JSON;
    case 'number':
      return Number.isFinite(value) ? SORTED_JSON : NOT_JSON;
    case 'boolean':
      return SORTED_JSON;
    case 'object': {
      if (value === null) return SORTED_JSON;
      if (depth >= MAX_JSON_DEPTH) return NOT_JSON;
      let shape: JsonShape = SORTED_JSON;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          // A hole would canonicalise to `[1,,2]`, which is not JSON.
          if (!(i in value)) return NOT_JSON;
          const item = jsonShape(value[i], depth + 1);
          if (item === NOT_JSON) return NOT_JSON;
          if (item === UNSORTED_JSON) shape = UNSORTED_JSON;
        }
        return shape;
      }
      if (!isPlainObject(value)) return NOT_JSON; // Date, Map, class instances: not data from JSON.parse
      let previous: string | undefined;
      for (const key of Object.keys(value)) {
        if (!isWellFormedUnicode(key)) return NOT_JSON;
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor === undefined || !('value' in descriptor)) return NOT_JSON; // no getters
        const item = jsonShape(descriptor.value, depth + 1);
        if (item === NOT_JSON) return NOT_JSON;
        if (item === UNSORTED_JSON || (previous !== undefined && !(previous < key))) shape = UNSORTED_JSON;
        previous = key;
      }
      return shape;
    }
    default:
      return NOT_JSON; // undefined, bigint, symbol, function
  }
}

function isJsonAt(value: unknown, depth: number): boolean {
  return jsonShape(value, depth) !== NOT_JSON;
}

/** True when `value` is plain JSON data that RFC 8785 can canonicalise exactly (finite numbers, valid strings). */
export function isJsonValue(value: unknown): value is JsonValue {
  try {
    return isJsonAt(value, 0);
  } catch {
    return false; // a hostile Proxy whose traps throw
  }
}

/** True when `value` is a JSON object (not an array, not null) that RFC 8785 can canonicalise exactly. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isJsonValue(value);
}

/**
 * A deep copy of `value` as JSON data, dropping object properties whose value is `undefined` (as JSON.stringify
 * does, so what is signed is what goes on the wire); undefined when anything else is not JSON data (NaN,
 * Infinity, lone surrogates, functions, class instances, holes, nesting deeper than MAX_JSON_DEPTH). For our own
 * objects before signing; parsed input needs no copy (isJsonValue).
 */
export function toJsonValue(value: unknown): JsonValue | undefined {
  try {
    return copyJson(value, 0);
  } catch {
    return undefined;
  }
}

function copyJson(value: unknown, depth: number): JsonValue | undefined {
  if (typeof value !== 'object' || value === null) return isJsonAt(value, depth) ? (value as JsonPrimitive) : undefined;
  if (depth >= MAX_JSON_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = i in value ? copyJson(value[i], depth + 1) : undefined;
      if (item === undefined) return undefined;
      out.push(item);
    }
    return out;
  }
  if (!isPlainObject(value)) return undefined;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    if (!isWellFormedUnicode(key)) return undefined;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined || !('value' in descriptor)) return undefined;
    if (descriptor.value === undefined) continue;
    const item = copyJson(descriptor.value, depth + 1);
    if (item === undefined) return undefined;
    // defineProperty, not assignment: a "__proto__" key must stay data, not replace the prototype.
    Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * RFC 8785 canonical JSON text of `value`, or undefined when `value` is not plain JSON data (NaN, Infinity,
 * lone surrogates, undefined, functions, cycles, class instances, nesting deeper than MAX_JSON_DEPTH).
 * Key order, whitespace and number spelling of the input do not matter: `{"b":1,"a":1.0}` → `{"a":1,"b":1}`.
 */
export function canonicalJson(value: unknown): string | undefined {
  try {
    const shape = jsonShape(value, 0);
    if (shape === NOT_JSON) return undefined;
    // Already in canonical key order: V8's native serialiser writes the canonical text (jsonShape says why).
    return shape === SORTED_JSON ? JSON.stringify(value) : canonicalize(value);
  } catch {
    return undefined; // a hostile Proxy whose traps throw
  }
}

/** UTF-8 bytes of the RFC 8785 canonical JSON of `value`, or undefined when it is not plain JSON data. */
export function canonicalJsonBytes(value: unknown): Uint8Array | undefined {
  const text = canonicalJson(value);
  return text === undefined ? undefined : encodeUtf8(text);
}

/**
 * `UTF-8(context) ‖ JCS(value)`: what Pedigree signs. The context (e.g. `pedigree/event/v1\n`) separates
 * domains so that a signature over one kind of object can never be replayed as another (compare DSSE's PAE).
 */
export function domainSeparatedBytes(context: string, value: unknown): Uint8Array | undefined {
  const body = canonicalJsonBytes(value);
  return body === undefined ? undefined : concatBytes(encodeUtf8(context), body);
}
