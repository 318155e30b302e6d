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

function isJsonAt(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      // RFC 8785 §3.2.2.2 / I-JSON (RFC 7493 §2.1): strings must be valid Unicode, else UTF-8 is ambiguous.
      return isWellFormedUnicode(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          // A hole would canonicalise to `[1,,2]`, which is not JSON.
          if (!(i in value) || !isJsonAt(value[i], depth + 1)) return false;
        }
        return true;
      }
      if (!isPlainObject(value)) return false; // Date, Map, class instances: not data from JSON.parse
      for (const key of Object.keys(value)) {
        if (!isWellFormedUnicode(key)) return false;
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor === undefined || !('value' in descriptor)) return false; // no getters
        if (!isJsonAt(descriptor.value, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false; // undefined, bigint, symbol, function
  }
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
  if (!isJsonValue(value)) return undefined;
  try {
    return canonicalize(value);
  } catch {
    return undefined;
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
