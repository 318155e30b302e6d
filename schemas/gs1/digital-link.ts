// GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax 1.x): parse any host, format Pedigree's canonical form.

import type { Gs1ErrorCode } from '../codes.js';
import { err, ok, type Err, type Result } from '../result.js';
import type { Gs1Ai } from './ai-entry.js';
import { isDlPrimaryKey, isValidDlPathSequence, lookupAi } from './ai-table.js';
import { checkAssociations } from './associations.js';
import { aiError, checkWholeValue, locateAiList, valuePosition, type LocatedAi } from './ai-value.js';
import { trimLineEnd } from './element-string.js';
import {
  aiListOf,
  checkInput,
  finishScan,
  resolveParseOptions,
  type Gs1AiList,
  type Gs1ParseOptions,
  type Gs1Scan,
  type ResolvedParseOptions,
} from './gs1-scan.js';

/** The stem of every Digital Link Pedigree writes (DESIGN.md §2). */
export const CANONICAL_DL_STEM = 'https://id.gs1.org';

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** RFC 3986 §2: unreserved, reserved and '%' — the only characters a URI may contain (as gs1-syntax-engine dl.c). */
const URI_CHARS = table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%");
/** URI characters that cannot appear in a host (dl.c). Only the character set is checked, not the host's form. */
const BAD_HOST_CHARS = table("_~?#@!$&'()*+,;=%");
/** RFC 3986 §2.3 unreserved characters: never percent-encoded on output. */
const UNRESERVED = table('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~');

function invalid(message: string, position: number): Err<Gs1ErrorCode> {
  return err('INVALID_DIGITAL_LINK', message, { position });
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

interface Decoded {
  readonly value: string;
  readonly map?: number[];
}

/**
 * RFC 3986 §2.1 percent-decoding of raw[a, b) (attacker-controlled). '+' is a space only in the query
 * (application/x-www-form-urlencoded). Malformed escapes are kept literally, as dl.c does; %00 is refused.
 */
function decode(raw: string, a: number, b: number, query: boolean): Decoded | Err<Gs1ErrorCode> {
  let plain = true;
  for (let i = a; i < b && plain; i++) {
    const c = raw.charCodeAt(i);
    plain = c !== 37 && !(query && c === 43);
  }
  if (plain) return { value: raw.slice(a, b) };
  let value = '';
  const map: number[] = [];
  for (let i = a; i < b; i++) {
    const c = raw.charCodeAt(i);
    map.push(i);
    if (c === 37 && i + 2 < b) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hexValue(raw.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        if (hi === 0 && lo === 0) return invalid('percent-encoded NUL in a Digital Link value', i);
        value += String.fromCharCode(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    value += query && c === 43 ? ' ' : raw.charAt(i);
  }
  return { value, map };
}

/** GS1 Digital Link §4: a GTIN-8/12/13 in (01) stands for the GTIN-14 with leading zeros. */
function padGtin(decoded: Decoded, valueAt: number): Decoded {
  const len = decoded.value.length;
  if (len !== 8 && len !== 12 && len !== 13) return decoded;
  const pad = 14 - len;
  const map = decoded.map ?? Array.from({ length: len }, (_v, i) => valueAt + i);
  return { value: '0'.repeat(pad) + decoded.value, map: [...new Array<number>(pad).fill(valueAt), ...map] };
}

function located(def: LocatedAi['def'], aiAt: number, valueAt: number, decoded: Decoded): LocatedAi {
  return decoded.map === undefined
    ? { def, ai: def.ai, value: decoded.value, aiAt, valueAt }
    : { def, ai: def.ai, value: decoded.value, aiAt, valueAt, valueMap: decoded.map };
}

/** Length bounds only; the components are linted after the structural checks, as in dl.c. */
function checkLength(item: LocatedAi): Err<Gs1ErrorCode> | undefined {
  if (item.value.length < item.def.minLength) return aiError('AI_VALUE_TOO_SHORT', item.ai, 'value is too short', item.valueAt);
  if (item.value.length > item.def.maxLength) {
    return aiError('AI_VALUE_TOO_LONG', item.ai, 'value is too long', valuePosition(item, item.def.maxLength));
  }
  return undefined;
}

function isAllDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Parses raw[start, end) as a Digital Link; positions in errors are offsets in raw. Used by parseScan too. */
export function parseDigitalLinkAt(
  raw: string,
  start: number,
  end: number,
  options: ResolvedParseOptions,
  symbology: string | undefined,
): Result<Gs1Scan, Gs1ErrorCode> {
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 128 || URI_CHARS[c] !== 1) return invalid('character not allowed in a URI', i);
  }
  // dl.c accepts the scheme in lower or upper case only; a mixed-case scheme is refused.
  let p: number;
  if (raw.startsWith('https://', start) || raw.startsWith('HTTPS://', start)) p = start + 8;
  else if (raw.startsWith('http://', start) || raw.startsWith('HTTP://', start)) p = start + 7;
  else return invalid('a GS1 Digital Link starts with http:// or https://', start);

  let slash = p;
  while (slash < end && raw.charCodeAt(slash) !== 47) slash++;
  if (slash >= end || slash === p) return invalid('a GS1 Digital Link needs a host and a path', p);
  for (let i = p; i < slash; i++) {
    if (BAD_HOST_CHARS[raw.charCodeAt(i)] === 1) return invalid('character not allowed in a host', i);
  }

  let contentEnd = slash;
  while (contentEnd < end && raw.charCodeAt(contentEnd) !== 35) contentEnd++; // '#': the fragment is ignored
  let pathEnd = slash;
  while (pathEnd < contentEnd && raw.charCodeAt(pathEnd) !== 63) pathEnd++; // '?'

  // Path segments after the host; "/a/b/" has segments "a", "b" and "".
  const segStart: number[] = [];
  const segEnd: number[] = [];
  for (let i = slash + 1, s = i; i <= pathEnd; i++) {
    if (i === pathEnd || raw.charCodeAt(i) === 47) {
      segStart.push(s);
      segEnd.push(i);
      s = i + 1;
    }
  }
  const segment = (k: number): string => raw.slice(segStart[k], segEnd[k]);

  // GS1 DL §4.7: walk back from the end over /AI/value pairs to the rightmost primary key; what precedes is a
  // free path prefix (e.g. a brand's own /some/path/01/…). Every pair after the key must name a known AI.
  let root = -1;
  for (let k = segStart.length; k >= 2; k -= 2) {
    const ai = segment(k - 2);
    if (lookupAi(ai) === undefined) break;
    if (isDlPrimaryKey(ai)) {
      root = k - 2;
      break;
    }
  }
  if (root < 0) return invalid('no GS1 Digital Link primary key (e.g. /01/{gtin}) at the end of the path', slash);

  const items: LocatedAi[] = [];
  for (let k = root; k + 1 < segStart.length; k += 2) {
    const def = lookupAi(segment(k));
    const aiAt = segStart[k] ?? 0;
    const valueAt = segStart[k + 1] ?? 0;
    const valueEnd = segEnd[k + 1] ?? 0;
    if (def === undefined) return invalid('unknown AI in the path', aiAt);
    if (valueAt === valueEnd) return aiError('AI_VALUE_TOO_SHORT', def.ai, 'value is empty', valueAt);
    let decoded = decode(raw, valueAt, valueEnd, false);
    if ('ok' in decoded) return decoded;
    if (def.ai === '01' && options.zeroPadShortGtin) decoded = padGtin(decoded, valueAt);
    const item = located(def, aiAt, valueAt, decoded);
    const bad = checkLength(item);
    if (bad) return bad;
    items.push(item);
  }
  const pathCount = items.length;

  if (pathEnd < contentEnd) {
    for (let a = pathEnd + 1; a < contentEnd; ) {
      let b = a;
      while (b < contentEnd && raw.charCodeAt(b) !== 38) b++; // '&'
      let eq = a;
      while (eq < b && raw.charCodeAt(eq) !== 61) eq++; // '='
      const key = raw.slice(a, eq);
      // Parameters without a value, and non-numeric keys (e.g. utm_source), are not AIs and are ignored;
      // a numeric key that is no AI is an error (GS1 DL §4.8).
      if (eq < b && isAllDigits(key)) {
        const def = lookupAi(key);
        if (def === undefined) return err('UNKNOWN_AI', `(${key}) is not in the GS1 Barcode Syntax Dictionary`, { position: a, path: `(${key})` });
        if (eq + 1 === b) return aiError('AI_VALUE_TOO_SHORT', def.ai, 'value is empty', eq + 1);
        let decoded = decode(raw, eq + 1, b, true);
        if ('ok' in decoded) return decoded;
        if (def.ai === '01' && options.zeroPadShortGtin) decoded = padGtin(decoded, eq + 1);
        const item = located(def, a, eq + 1, decoded);
        const bad = checkLength(item);
        if (bad) return bad;
        items.push(item);
      }
      a = b + 1;
    }
  }

  // GS1 DL §4.7: key qualifiers only in the path, in the order the dictionary's dlpkey gives.
  const pathAis = items.slice(0, pathCount).map((item) => item.ai);
  if (!isValidDlPathSequence(pathAis)) {
    let k = 2;
    while (k < pathAis.length && isValidDlPathSequence(pathAis.slice(0, k))) k++;
    const culprit = items[k - 1] ?? items[0];
    return invalid(`key qualifiers out of order or not allowed: /${pathAis.join('/…/')}/…`, culprit?.aiAt ?? slash);
  }
  for (let i = pathCount; i < items.length; i++) {
    const item = items[i] as LocatedAi;
    for (let j = 0; j < i; j++) {
      if ((items[j] as LocatedAi).ai === item.ai) return invalid(`(${item.ai}) given twice`, item.aiAt);
    }
    if (!item.def.entry.dlDataAttribute) return invalid(`(${item.ai}) is not allowed as a data attribute`, item.aiAt);
    for (let k = 1; k <= pathCount; k++) {
      if (isValidDlPathSequence([...pathAis.slice(0, k), item.ai, ...pathAis.slice(k)])) {
        return invalid(`(${item.ai}) is a key qualifier: it belongs in the path, not the query`, item.aiAt);
      }
    }
  }
  for (const item of items) {
    const failure = checkWholeValue(item);
    if (failure) return failure;
  }
  return finishScan('digital-link', symbology, items, options);
}

/**
 * Parses a GS1 Digital Link URI on any host (attacker-controlled), e.g.
 * `https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426`. The path may carry a prefix before the
 * primary key; the fragment is ignored; query parameters that are not AIs are ignored. A trailing CR/LF is ignored.
 */
export function parseDigitalLink(raw: string, options?: Gs1ParseOptions): Result<Gs1Scan, Gs1ErrorCode> {
  const opts = resolveParseOptions(options);
  const refused = checkInput(raw, opts);
  if (refused) return refused;
  return parseDigitalLinkAt(raw, 0, trimLineEnd(raw), opts, undefined);
}

function escape(value: string, query: boolean): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 128 && UNRESERVED[c] === 1) out += value.charAt(i);
    else if (query && c === 32) out += '+';
    else out += `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface FormatDigitalLinkOptions {
  /** Scheme and host (and optional path prefix); default `https://id.gs1.org`. */
  readonly stem?: string;
  /** Check req=/ex=/repeat rules first (default true). */
  readonly validateAssociations?: boolean;
}

/**
 * Writes AIs (or a parsed scan) as a Digital Link in Pedigree's canonical form: the first primary key in the
 * path, followed by the key qualifiers present in dictionary order (for (01): /22, /10, /21), every other AI as a
 * query attribute (predefined-length AIs first, each group in input order, as gs1-syntax-engine does):
 * `https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426`.
 */
export function formatDigitalLink(input: Gs1AiList, options?: FormatDigitalLinkOptions): Result<string, Gs1ErrorCode> {
  const located = locateAiList(aiListOf(input));
  if (!Array.isArray(located)) return located;
  if (options?.validateAssociations ?? true) {
    const failure = checkAssociations(located);
    if (failure) return failure;
  }
  const items: LocatedAi[] = [];
  for (const item of located) {
    const same = items.find((other) => other.ai === item.ai);
    if (same === undefined) items.push(item);
    else if (same.value !== item.value) {
      return err('CONFLICTING_REPEATED_AI', `(${item.ai}) given twice with different values`, { path: `(${item.ai})` });
    }
  }
  const key = items.find((item) => isDlPrimaryKey(item.ai));
  if (key === undefined) return err('INVALID_DIGITAL_LINK', 'a Digital Link needs a primary key AI such as (01), (00) or (414)');

  let qualifiers: readonly string[] = [];
  let best = -1;
  for (const sequence of key.def.entry.dlpkey ?? []) {
    const present = sequence.filter((ai) => items.some((item) => item.ai === ai));
    if (present.length > best) {
      best = present.length;
      qualifiers = present;
    }
  }
  const inPath = new Set<string>([key.ai, ...qualifiers]);
  let stem = options?.stem ?? CANONICAL_DL_STEM;
  if (stem.endsWith('/')) stem = stem.slice(0, -1);
  let out = stem;
  for (const ai of [key.ai, ...qualifiers]) {
    const item = items.find((x) => x.ai === ai) as LocatedAi;
    out += `/${ai}/${escape(item.value, false)}`;
  }
  const attributes = items.filter((item) => !inPath.has(item.ai));
  for (const item of attributes) {
    if (!item.def.entry.dlDataAttribute) {
      return err('INVALID_DIGITAL_LINK', `(${item.ai}) cannot be a Digital Link data attribute`, { path: `(${item.ai})` });
    }
  }
  const ordered = [...attributes.filter((a) => !a.def.fnc1Required), ...attributes.filter((a) => a.def.fnc1Required)];
  if (ordered.length > 0) out += `?${ordered.map((item) => `${item.ai}=${escape(item.value, true)}`).join('&')}`;
  return ok(out);
}

function gtin14(gtin: unknown): unknown {
  return typeof gtin === 'string' && isAllDigits(gtin) && (gtin.length === 8 || gtin.length === 12 || gtin.length === 13)
    ? gtin.padStart(14, '0')
    : gtin;
}

function formatKey(ais: readonly { ai: string; value: unknown }[]): Result<string, Gs1ErrorCode> {
  return formatDigitalLink(ais as readonly Gs1Ai[]);
}

/** `https://id.gs1.org/01/{gtin}/21/{serial}`: a serialised unit (DESIGN.md §2); GTIN-8/12/13 are zero-padded. */
export function unitDigitalLink(gtin: string, serial: string): Result<string, Gs1ErrorCode> {
  return formatKey([{ ai: '01', value: gtin14(gtin) }, { ai: '21', value: serial }]);
}

/** `https://id.gs1.org/00/{sscc}`: a logistic unit (case, pallet). */
export function ssccDigitalLink(sscc: string): Result<string, Gs1ErrorCode> {
  return formatKey([{ ai: '00', value: sscc }]);
}

/**
 * Locations and parties are few and named in every event a site builds: their links are remembered (a pure
 * function of its arguments; the memo starts over past MEMO_MAX entries, so hostile input cannot grow it).
 */
const MEMO_MAX = 1024;
const placeLinks = new Map<string, Result<string, Gs1ErrorCode>>();

function rememberedPlace(key: string, format: () => Result<string, Gs1ErrorCode>): Result<string, Gs1ErrorCode> {
  let r = placeLinks.get(key);
  if (r === undefined) {
    r = format();
    if (placeLinks.size >= MEMO_MAX) placeLinks.clear();
    placeLinks.set(key, r);
  }
  return r;
}

/** `https://id.gs1.org/414/{gln}[/254/{ext}]`: a location (SGLN). */
export function sglnDigitalLink(gln: string, extension?: string): Result<string, Gs1ErrorCode> {
  if (typeof gln !== 'string' || (extension !== undefined && typeof extension !== 'string')) return formatSgln(gln, extension);
  return rememberedPlace(JSON.stringify(['414', gln, extension ?? null]), () => formatSgln(gln, extension));
}

function formatSgln(gln: string, extension?: string): Result<string, Gs1ErrorCode> {
  const ais: { ai: string; value: unknown }[] = [{ ai: '414', value: gln }];
  if (extension !== undefined) ais.push({ ai: '254', value: extension });
  return formatKey(ais);
}

/** `https://id.gs1.org/417/{gln}`: a party (PGLN). */
export function pglnDigitalLink(gln: string): Result<string, Gs1ErrorCode> {
  if (typeof gln !== 'string') return formatKey([{ ai: '417', value: gln }]);
  return rememberedPlace(JSON.stringify(['417', gln]), () => formatKey([{ ai: '417', value: gln }]));
}
