// Reads the query parameters of GET /epcis/events (EPCIS 2.0 REST binding, SimpleEventQuery of EPCIS 2.0 §8.2.7.1)
// into an EpcisEventQuery. Parameters are attacker-controlled; every refusal is a QueryParameterException naming the
// parameter, never a throw.
import { BIZ_STEP_VOCABULARY, DISPOSITION_VOCABULARY, CBV_WEB_URI, type Vocabulary } from '../../schemas/epcis/cbv.js';
import type { EpcisEventQuery, IdentifierMatch } from './ports.js';
import { identifierKey } from './event-identifiers.js';
import { identifierSpellings, patternPrefixes } from './epc-spellings.js';
import { storableInstant } from './storable-instant.js';

export const DEFAULT_PER_PAGE = 100;
export const MAX_PER_PAGE = 1000;
/** Values per parameter: each becomes several spellings in SQL. */
export const MAX_VALUES_PER_PARAMETER = 50;
const MAX_VALUE_LENGTH = 512;

export interface EpcisPaging {
  readonly perPage: number;
  readonly nextPageToken?: string;
  readonly eventCountLimit?: number;
  readonly maxEventCount?: number;
}

export type ParsedEventQuery =
  | { readonly ok: true; readonly query: EpcisEventQuery; readonly paging: EpcisPaging; readonly fingerprint: string }
  | { readonly ok: false; readonly exception: 'QueryParameterException'; readonly detail: string };

/** The parameters this repository answers; the rest of the binding's list is refused by name, never ignored. */
export const SUPPORTED_PARAMETERS = [
  'eventType',
  'GE_eventTime',
  'LT_eventTime',
  'GE_recordTime',
  'LT_recordTime',
  'EQ_action',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_readPoint',
  'WD_readPoint',
  'EQ_bizLocation',
  'WD_bizLocation',
  'MATCH_epc',
  'MATCH_parentID',
  'MATCH_anyEPC',
  'MATCH_epcClass',
  'EQ_eventID',
  'orderBy',
  'orderDirection',
  'eventCountLimit',
  'maxEventCount',
  'perPage',
  'nextPageToken',
] as const;

const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];

class QueryParameterError extends Error {}

const fail = (detail: string): never => {
  throw new QueryParameterError(detail);
};

/** Pipe-delimited values of every occurrence of a parameter (OpenAPI style pipeDelimited, explode false). */
function valuesOf(params: URLSearchParams, name: string): string[] | undefined {
  const raw = params.getAll(name);
  if (raw.length === 0) return undefined;
  const values = raw.flatMap((r) => r.split('|'));
  if (values.some((v) => v === '')) fail(`${name} has an empty value`);
  if (values.length > MAX_VALUES_PER_PARAMETER) fail(`${name} has more than ${MAX_VALUES_PER_PARAMETER} values`);
  if (values.some((v) => v.length > MAX_VALUE_LENGTH)) fail(`${name} has a value longer than ${MAX_VALUE_LENGTH} characters`);
  return values;
}

function single(params: URLSearchParams, name: string): string | undefined {
  const raw = params.getAll(name);
  if (raw.length > 1) fail(`${name} may be given once`);
  return raw[0];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 date-time → ISO UTC. A `+` the client left unescaped arrives as a space: it is read as `+`. */
function time(params: URLSearchParams, name: string): string | undefined {
  let v = single(params, name);
  if (v === undefined) return undefined;
  v = v.replace(/ (\d{2}:\d{2})$/, '+$1');
  const instant = RFC3339.test(v) ? storableInstant(Date.parse(v)) : undefined;
  if (instant === undefined) fail(`${name} must be an RFC 3339 date-time with a time zone, years 0001–9999, e.g. 2026-01-31T12:00:00Z`);
  return instant;
}

function positiveInt(params: URLSearchParams, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = single(params, name);
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(v) || Number(v) > max) fail(`${name} must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` of at most ${max}` : ''}`);
  return Number(v);
}

function isUri(v: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(v);
}

/** A CBV word in any of its spellings (bare word, Web URI, CBV 1.x URN, `cbv:` CURIE), or a custom URI as is. */
function vocabularySpellings(name: string, values: readonly string[], vocabulary: Vocabulary, kind: string): string[] {
  const out = new Set<string>();
  const uriWord = vocabulary.uriPrefix.slice(CBV_WEB_URI.length); // e.g. 'BizStep-'
  for (const v of values) {
    let word: string | undefined;
    if (vocabulary.words.has(v)) word = v;
    else if (v.startsWith(vocabulary.uriPrefix)) word = v.slice(vocabulary.uriPrefix.length);
    else if (vocabulary.urnPrefix && v.startsWith(vocabulary.urnPrefix)) word = v.slice(vocabulary.urnPrefix.length);
    else if (v.startsWith(`cbv:${uriWord}`)) word = v.slice(`cbv:${uriWord}`.length);
    if (word !== undefined && vocabulary.words.has(word)) {
      out.add(word);
      out.add(vocabulary.uriPrefix + word);
      out.add(`cbv:${uriWord}${word}`);
      if (vocabulary.urnPrefix) out.add(vocabulary.urnPrefix + word);
    } else if (isUri(v)) {
      out.add(v);
    } else {
      fail(`${name}: ${v} is neither a CBV ${kind} nor a URI`);
    }
  }
  return [...out];
}

function identifierMatch(name: string, values: readonly string[]): IdentifierMatch {
  const spellings = new Set<string>();
  const prefixes = new Set<string>();
  for (const v of values) {
    if (!isUri(v)) fail(`${name}: ${v} is not a URI (an EPC URN, EPC pattern or GS1 Digital Link)`);
    const pattern = patternPrefixes(v);
    if (pattern !== undefined) {
      if (pattern.length === 0) fail(`${name}: ${v} is not an EPC pattern (wildcards must be the last components)`);
      for (const p of pattern) prefixes.add(p);
    } else {
      for (const s of identifierSpellings(v)) spellings.add(s);
    }
  }
  const keys = new Set<string>();
  for (const v of spellings) {
    const k = identifierKey(v);
    if (k !== undefined) keys.add(k);
  }
  return { values: [...spellings], prefixes: [...prefixes], keys: [...keys] };
}

/**
 * WD_ (with descendants, EPCIS 2.0 §8.2.7.1): without master data, an SGLN's descendants are the SGLNs of the same
 * GLN with an extension (AI 254, a sub-location); an SGLN with an extension has none but itself.
 */
function locationWithDescendants(name: string, values: readonly string[]): IdentifierMatch {
  const base = identifierMatch(name, values);
  const prefixes = new Set(base.prefixes);
  for (const s of base.values) {
    if (/^https:\/\/id\.gs1\.org\/414\/[0-9]{13}$/.test(s)) prefixes.add(`${s}/254/`);
    const urn = /^(urn:epc:id:sgln:[0-9]+\.[0-9]*\.)0$/.exec(s);
    if (urn) prefixes.add(urn[1]!);
  }
  return { ...base, prefixes: [...prefixes] };
}

function mergeMatch(a: IdentifierMatch | undefined, b: IdentifierMatch | undefined): IdentifierMatch | undefined {
  if (!a) return b;
  if (!b) return a;
  const union = (x: readonly string[], y: readonly string[]) => [...new Set([...x, ...y])];
  return { values: union(a.values, b.values), prefixes: union(a.prefixes, b.prefixes), keys: union(a.keys, b.keys) };
}

/** A stable string of the filter (not the page) parameters: a page token belongs to the query that issued it. */
function fingerprintOf(params: URLSearchParams): string {
  const kept = [...params.entries()].filter(([k]) => k !== 'perPage' && k !== 'nextPageToken');
  kept.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify(kept);
}

export function parseEventQuery(params: URLSearchParams): ParsedEventQuery {
  try {
    for (const name of new Set(params.keys())) {
      if (!(SUPPORTED_PARAMETERS as readonly string[]).includes(name)) {
        fail(`parameter ${name.slice(0, 80)} is not supported; supported: ${SUPPORTED_PARAMETERS.join(', ')}`);
      }
    }
    const eventTypes = valuesOf(params, 'eventType');
    if (eventTypes?.some((t) => !EVENT_TYPES.includes(t) && !isUri(t))) {
      fail(`eventType must be among ${EVENT_TYPES.join(', ')} or an extension event type URI`);
    }
    const actions = valuesOf(params, 'EQ_action');
    if (actions?.some((a) => !['ADD', 'OBSERVE', 'DELETE'].includes(a))) fail('EQ_action values must be ADD, OBSERVE or DELETE');
    const bizSteps = valuesOf(params, 'EQ_bizStep');
    const dispositions = valuesOf(params, 'EQ_disposition');
    const eqReadPoint = valuesOf(params, 'EQ_readPoint');
    const wdReadPoint = valuesOf(params, 'WD_readPoint');
    const eqBizLocation = valuesOf(params, 'EQ_bizLocation');
    const wdBizLocation = valuesOf(params, 'WD_bizLocation');
    const epc = valuesOf(params, 'MATCH_epc');
    const parentID = valuesOf(params, 'MATCH_parentID');
    const anyEPC = valuesOf(params, 'MATCH_anyEPC');
    const epcClass = valuesOf(params, 'MATCH_epcClass');
    const eventIDs = valuesOf(params, 'EQ_eventID');

    const orderByRaw = single(params, 'orderBy');
    if (orderByRaw !== undefined && orderByRaw !== 'eventTime' && orderByRaw !== 'recordTime') {
      fail('orderBy must be eventTime or recordTime (ordering by extension fields is not supported)');
    }
    const orderBy = orderByRaw as 'eventTime' | 'recordTime' | undefined;
    const direction = single(params, 'orderDirection');
    if (direction !== undefined && direction !== 'ASC' && direction !== 'DESC') fail('orderDirection must be ASC or DESC');
    const eventCountLimit = positiveInt(params, 'eventCountLimit');
    const maxEventCount = positiveInt(params, 'maxEventCount');
    if (eventCountLimit !== undefined && maxEventCount !== undefined) fail('eventCountLimit and maxEventCount are mutually exclusive');
    if (eventCountLimit !== undefined && orderBy === undefined) fail('eventCountLimit may only be used with orderBy');
    const perPage = Math.min(positiveInt(params, 'perPage') ?? DEFAULT_PER_PAGE, MAX_PER_PAGE);
    const nextPageToken = single(params, 'nextPageToken');

    const readPoint = mergeMatch(eqReadPoint && identifierMatch('EQ_readPoint', eqReadPoint), wdReadPoint && locationWithDescendants('WD_readPoint', wdReadPoint));
    const bizLocation = mergeMatch(
      eqBizLocation && identifierMatch('EQ_bizLocation', eqBizLocation),
      wdBizLocation && locationWithDescendants('WD_bizLocation', wdBizLocation),
    );
    const any = anyEPC && identifierMatch('MATCH_anyEPC', anyEPC);
    const query: EpcisEventQuery = {
      ...(eventTypes ? { eventTypes } : {}),
      eventTime: { ...opt('ge', time(params, 'GE_eventTime')), ...opt('lt', time(params, 'LT_eventTime')) },
      recordTime: { ...opt('ge', time(params, 'GE_recordTime')), ...opt('lt', time(params, 'LT_recordTime')) },
      ...(actions ? { actions } : {}),
      ...(bizSteps ? { bizSteps: vocabularySpellings('EQ_bizStep', bizSteps, BIZ_STEP_VOCABULARY, 'business step') } : {}),
      ...(dispositions ? { dispositions: vocabularySpellings('EQ_disposition', dispositions, DISPOSITION_VOCABULARY, 'disposition') } : {}),
      ...(readPoint ? { readPoint } : {}),
      ...(bizLocation ? { bizLocation } : {}),
      ...(epc ? { epc: identifierMatch('MATCH_epc', epc) } : {}),
      ...(parentID ? { parentID: identifierMatch('MATCH_parentID', parentID) } : {}),
      ...(any ? { anyEPC: any } : {}),
      ...(epcClass ? { epcClass: identifierMatch('MATCH_epcClass', epcClass) } : {}),
      ...(eventIDs ? { eventIDs } : {}),
      ...(orderBy ? { orderBy } : {}),
      orderDirection: orderBy === undefined ? 'ASC' : ((direction as 'ASC' | 'DESC' | undefined) ?? 'DESC'),
    };
    const paging: EpcisPaging = {
      perPage,
      ...(nextPageToken !== undefined ? { nextPageToken } : {}),
      ...(eventCountLimit !== undefined ? { eventCountLimit } : {}),
      ...(maxEventCount !== undefined ? { maxEventCount } : {}),
    };
    return { ok: true, query, paging, fingerprint: fingerprintOf(params) };
  } catch (e) {
    if (e instanceof QueryParameterError) return { ok: false, exception: 'QueryParameterException', detail: e.message };
    throw e;
  }
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
