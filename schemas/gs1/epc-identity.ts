// The EPC pure identity model (TDS 1.13 §6.3, §6.4 lgtin, §8 idpat) and its mapping to GS1 element strings (TDS §7).

import { computeCheckDigit } from './check-digit.js';
import type { Gs1ErrorCode } from '../codes.js';
import { err, ok } from '../result.js';
import type { Err, Result } from '../result.js';
import type { EpcCharset } from './epc-escape.js';
import { isEpcRelatedAi, validateElement } from './epc-elements.js';
import type { Gs1Element } from './epc-elements.js';

/** Schemes of `urn:epc:id:` that this project reads (TDS §6.3; the non-GS1 usdod, adi, bic, imovn are left out). */
export const EPC_ID_SCHEMES = [
  'sgtin', 'sscc', 'sgln', 'grai', 'giai', 'gsrn', 'gsrnp', 'gdti', 'cpi', 'sgcn', 'ginc', 'gsin', 'itip', 'upui', 'pgln', 'gid',
] as const;
export type EpcIdScheme = (typeof EPC_ID_SCHEMES)[number];

/**
 * `urn:epc:idpat:` schemes whose pattern `…ClassComponents.*` names one GS1 class-level key, hence one
 * Digital Link (the set GS1's event-hash reference converts, CBV 2.0 §8.9).
 */
export const EPC_CLASS_PATTERN_SCHEMES = ['sgtin', 'upui', 'grai', 'gdti', 'sgcn', 'cpi', 'itip'] as const;
export type EpcClassPatternScheme = (typeof EPC_CLASS_PATTERN_SCHEMES)[number];

/**
 * An EPC with its components decoded (no URI escapes), in URI order, e.g. sgtin `['0614141', '812345', '32a/b']`.
 * A pattern (`idpat`) carries the components before its final `*`.
 */
export type EpcIdentity =
  | { readonly kind: 'id'; readonly scheme: EpcIdScheme; readonly components: readonly string[] }
  | { readonly kind: 'class'; readonly scheme: 'lgtin'; readonly components: readonly string[] }
  | { readonly kind: 'idpat'; readonly scheme: EpcClassPatternScheme; readonly components: readonly string[] };

/** How one URI component is written and bounded (TDS §6.3 grammar and the GS1 key lengths of §7). */
export type ComponentSpec =
  | { readonly type: 'gcp' } // GS1 Company Prefix: 6–12 digits
  | { readonly type: 'ref'; readonly total: number } // digits; length = total − GCP length (may be 0)
  | { readonly type: 'text'; readonly charset: EpcCharset; readonly max: number; readonly withGcp: boolean } // 1..max characters
  | { readonly type: 'number'; readonly max: number } // NumericComponent: digits, no leading zero
  | { readonly type: 'digits'; readonly min: number; readonly max: number }; // PaddedNumericComponent

const GCP: ComponentSpec = { type: 'gcp' };
const ref = (total: number): ComponentSpec => ({ type: 'ref', total });
const text = (max: number, withGcp = false, charset: EpcCharset = 'cset82'): ComponentSpec => ({ type: 'text', charset, max, withGcp });
const digits = (min: number, max: number): ComponentSpec => ({ type: 'digits', min, max });
const number = (max: number): ComponentSpec => ({ type: 'number', max });

/** Component layout of each pure identity (TDS §6.3, and §6.4 for the lgtin class). */
export const EPC_COMPONENT_SPECS: Readonly<Record<EpcIdScheme | 'lgtin', readonly ComponentSpec[]>> = {
  sgtin: [GCP, ref(13), text(20)],
  sscc: [GCP, ref(17)],
  sgln: [GCP, ref(12), text(20)],
  grai: [GCP, ref(12), text(16)],
  giai: [GCP, text(30, true)],
  gsrn: [GCP, ref(17)],
  gsrnp: [GCP, ref(17)],
  gdti: [GCP, ref(12), text(17)],
  cpi: [GCP, text(30, true, 'cset39'), number(12)],
  sgcn: [GCP, ref(12), digits(1, 12)],
  ginc: [GCP, text(30, true)],
  gsin: [GCP, ref(16)],
  itip: [GCP, ref(13), digits(2, 2), digits(2, 2), text(20)],
  upui: [GCP, ref(13), text(28)],
  pgln: [GCP, ref(12)],
  gid: [number(20), number(20), number(20)], // General Identifier: not a GS1 key (TDS §6.3)
  lgtin: [GCP, ref(13), text(20)],
};

const ALL_DIGITS = /^[0-9]*$/;

function invalid(message: string): Err<Gs1ErrorCode> {
  return err('INVALID_EPC', message);
}

/** Checks decoded components against the scheme layout; the caller has already split and unescaped them. */
export function validateComponents(specs: readonly ComponentSpec[], components: readonly string[]): Err<Gs1ErrorCode> | null {
  const gcpLength = specs[0]?.type === 'gcp' ? (components[0]?.length ?? 0) : 0;
  for (let i = 0; i < components.length; i++) {
    const spec = specs[i];
    const c = components[i] ?? '';
    if (!spec) return invalid('too many components');
    switch (spec.type) {
      case 'gcp':
        if (c.length < 6 || c.length > 12 || !ALL_DIGITS.test(c)) return invalid('the GS1 Company Prefix must be 6 to 12 digits');
        break;
      case 'ref':
        if (c.length !== spec.total - gcpLength || !ALL_DIGITS.test(c)) {
          return invalid(`company prefix and reference must be ${spec.total} digits together`);
        }
        break;
      case 'digits':
        if (c.length < spec.min || c.length > spec.max || !ALL_DIGITS.test(c)) return invalid(`a component must be ${spec.min}–${spec.max} digits`);
        break;
      case 'number':
        if (c.length < 1 || c.length > spec.max || !ALL_DIGITS.test(c) || (c.length > 1 && c[0] === '0')) {
          return invalid('a numeric component must be digits without a leading zero');
        }
        break;
      case 'text': {
        const max = spec.withGcp ? spec.max - gcpLength : spec.max;
        if (c.length < 1 || c.length > max) return invalid(`a component must be 1 to ${max} characters`);
        break;
      }
    }
  }
  return null;
}

/** Layout of an identity's components (for a pattern, the specs before the `*`). */
export function specsOf(identity: EpcIdentity): readonly ComponentSpec[] {
  const specs = EPC_COMPONENT_SPECS[identity.scheme];
  return identity.kind === 'idpat' ? specs.slice(0, -1) : specs;
}

/** GTIN-14 from company prefix and indicator+item reference (TDS §7.1). */
function gtinOf(gcp: string, itemRef: string): string {
  const body = itemRef.slice(0, 1) + gcp + itemRef.slice(1);
  return body + String(computeCheckDigit(body));
}

function withCheckDigit(body: string): string {
  return body + String(computeCheckDigit(body));
}

/**
 * The GS1 element string of an EPC (TDS §7): e.g. sgtin → `(01)…(21)…`, lgtin → `(01)…(10)…`, an idpat → the
 * class key alone. Every element value is checked, so an identity that passes here is a valid GS1 key.
 */
export function epcIdentityToElements(identity: EpcIdentity): Result<Gs1Element[], Gs1ErrorCode> {
  const [a = '', b = '', c = '', d = '', e = ''] = identity.components;
  const pattern = identity.kind === 'idpat';
  let elements: Gs1Element[];
  switch (identity.scheme) {
    case 'sgtin':
      elements = pattern ? [{ ai: '01', value: gtinOf(a, b) }] : [{ ai: '01', value: gtinOf(a, b) }, { ai: '21', value: c }];
      break;
    case 'lgtin':
      elements = [{ ai: '01', value: gtinOf(a, b) }, { ai: '10', value: c }];
      break;
    case 'upui':
      elements = pattern ? [{ ai: '01', value: gtinOf(a, b) }] : [{ ai: '01', value: gtinOf(a, b) }, { ai: '235', value: c }];
      break;
    case 'sscc':
      elements = [{ ai: '00', value: withCheckDigit(b.slice(0, 1) + a + b.slice(1)) }];
      break;
    case 'sgln':
      // TDS §6.3 (SGLN): the extension "0" means "no extension".
      elements = c === '0' ? [{ ai: '414', value: withCheckDigit(a + b) }] : [{ ai: '414', value: withCheckDigit(a + b) }, { ai: '254', value: c }];
      break;
    case 'grai':
      elements = [{ ai: '8003', value: '0' + withCheckDigit(a + b) + (pattern ? '' : c) }];
      break;
    case 'giai':
      elements = [{ ai: '8004', value: a + b }];
      break;
    case 'gsrn':
      elements = [{ ai: '8018', value: withCheckDigit(a + b) }];
      break;
    case 'gsrnp':
      elements = [{ ai: '8017', value: withCheckDigit(a + b) }];
      break;
    case 'gdti':
      elements = [{ ai: '253', value: withCheckDigit(a + b) + (pattern ? '' : c) }];
      break;
    case 'cpi':
      elements = pattern ? [{ ai: '8010', value: a + b }] : [{ ai: '8010', value: a + b }, { ai: '8011', value: c }];
      break;
    case 'sgcn':
      elements = [{ ai: '255', value: withCheckDigit(a + b) + (pattern ? '' : c) }];
      break;
    case 'ginc':
      elements = [{ ai: '401', value: a + b }];
      break;
    case 'gsin':
      elements = [{ ai: '402', value: withCheckDigit(a + b) }];
      break;
    case 'itip': {
      const key = { ai: '8006', value: gtinOf(a, b) + c + d };
      elements = pattern ? [key] : [key, { ai: '21', value: e }];
      break;
    }
    case 'pgln':
      elements = [{ ai: '417', value: withCheckDigit(a + b) }];
      break;
    case 'gid':
      return err('UNSUPPORTED_EPC_SCHEME', 'a GID is not a GS1 key: it has no element string or Digital Link');
  }
  for (const element of elements) {
    const problem = validateElement(element);
    if (problem) return err('INVALID_EPC', `the EPC does not form a valid GS1 key: ${problem.message}`, problem.path ? { path: problem.path } : {});
  }
  return ok(elements);
}

/** AIs that start a GS1 key an EPC can denote (GS1 Digital Link primary keys). */
const PRIMARY_KEYS = new Set(['00', '01', '253', '255', '401', '402', '414', '417', '8003', '8004', '8006', '8010', '8017', '8018']);

export function isEpcPrimaryKeyAi(ai: string): boolean {
  return PRIMARY_KEYS.has(ai);
}

function notEncodable(message: string): Err<Gs1ErrorCode> {
  return err('EPC_NOT_ENCODABLE', message);
}

/**
 * The EPC a set of GS1 elements denotes (TDS §7, the reverse direction), given the length of
 * the GS1 Company Prefix, which the element string does not carry. The finest identity wins, as in the
 * CBV 2.0 event hash: (01)+(21) is an sgtin even when (10) or (22) is present; (01)+(10) an lgtin;
 * (01) alone the pattern `urn:epc:idpat:sgtin:…*`. Values are checked (attacker-controlled); AIs that are not
 * part of the key, such as (17), are ignored.
 */
export function elementsToEpcIdentity(elements: readonly Gs1Element[], gcpLength: number): Result<EpcIdentity, Gs1ErrorCode> {
  if (!Number.isInteger(gcpLength) || gcpLength < 6 || gcpLength > 12) {
    return notEncodable('the GS1 Company Prefix length must be an integer from 6 to 12');
  }
  const byAi = new Map<string, string>();
  for (const element of elements) {
    const { ai, value } = element;
    if (isEpcRelatedAi(ai)) {
      const problem = validateElement(element);
      if (problem) return problem;
    }
    const seen = byAi.get(ai);
    if (seen !== undefined && seen !== value) return err('CONFLICTING_REPEATED_AI', `(${ai}) appears twice with different values`, { path: `(${ai})` });
    byAi.set(ai, value);
  }
  const keys = [...byAi.keys()].filter(isEpcPrimaryKeyAi);
  if (keys.length === 0) return err('NOT_GS1', 'no GS1 key that an EPC can denote');
  if (keys.length > 1) return notEncodable(`several GS1 keys (${keys.join(', ')}): an EPC names exactly one`);
  const pk = keys[0] ?? '';
  const v = byAi.get(pk) ?? '';
  const L = gcpLength;
  const serial = byAi.get('21');
  const build = (identity: EpcIdentity): Result<EpcIdentity, Gs1ErrorCode> => {
    const problem = validateComponents(specsOf(identity), identity.components);
    return problem ? notEncodable(`not expressible as an EPC with a ${L}-digit company prefix: ${problem.message}`) : ok(identity);
  };
  const gcpFromText = (): string | null => (v.length > L && ALL_DIGITS.test(v.slice(0, L)) ? v.slice(0, L) : null);
  if (byAi.has('7040') || byAi.has('8019')) return notEncodable('(7040) and (8019) qualifiers have no EPC form');

  switch (pk) {
    case '01': {
      const gcp = v.slice(1, 1 + L);
      const itemRef = v.slice(0, 1) + v.slice(1 + L, 13);
      const tpx = byAi.get('235');
      if (tpx !== undefined && serial !== undefined) return err('EXCLUDED_AI_PAIR', '(21) and (235) exclude each other');
      if (tpx !== undefined) return build({ kind: 'id', scheme: 'upui', components: [gcp, itemRef, tpx] });
      if (serial !== undefined) return build({ kind: 'id', scheme: 'sgtin', components: [gcp, itemRef, serial] });
      const lot = byAi.get('10');
      if (lot !== undefined) return build({ kind: 'class', scheme: 'lgtin', components: [gcp, itemRef, lot] });
      return build({ kind: 'idpat', scheme: 'sgtin', components: [gcp, itemRef] });
    }
    case '8006': {
      const gcp = v.slice(1, 1 + L);
      const parts = [gcp, v.slice(0, 1) + v.slice(1 + L, 13), v.slice(14, 16), v.slice(16, 18)];
      if (serial !== undefined) return build({ kind: 'id', scheme: 'itip', components: [...parts, serial] });
      if (byAi.has('10')) return notEncodable('an ITIP with a lot and no serial has no EPC form');
      return build({ kind: 'idpat', scheme: 'itip', components: parts });
    }
    case '00':
      return build({ kind: 'id', scheme: 'sscc', components: [v.slice(1, 1 + L), v.slice(0, 1) + v.slice(1 + L, 17)] });
    case '414':
      return build({ kind: 'id', scheme: 'sgln', components: [v.slice(0, L), v.slice(L, 12), byAi.get('254') ?? '0'] });
    case '417':
      return build({ kind: 'id', scheme: 'pgln', components: [v.slice(0, L), v.slice(L, 12)] });
    case '8003': {
      const parts = [v.slice(1, 1 + L), v.slice(1 + L, 13)];
      const graiSerial = v.slice(14);
      return graiSerial === ''
        ? build({ kind: 'idpat', scheme: 'grai', components: parts })
        : build({ kind: 'id', scheme: 'grai', components: [...parts, graiSerial] });
    }
    case '253': {
      const parts = [v.slice(0, L), v.slice(L, 12)];
      const docSerial = v.slice(13);
      return docSerial === ''
        ? build({ kind: 'idpat', scheme: 'gdti', components: parts })
        : build({ kind: 'id', scheme: 'gdti', components: [...parts, docSerial] });
    }
    case '255': {
      const parts = [v.slice(0, L), v.slice(L, 12)];
      const couponSerial = v.slice(13);
      return couponSerial === ''
        ? build({ kind: 'idpat', scheme: 'sgcn', components: parts })
        : build({ kind: 'id', scheme: 'sgcn', components: [...parts, couponSerial] });
    }
    case '8017':
    case '8018':
      return build({ kind: 'id', scheme: pk === '8017' ? 'gsrnp' : 'gsrn', components: [v.slice(0, L), v.slice(L, 17)] });
    case '402':
      return build({ kind: 'id', scheme: 'gsin', components: [v.slice(0, L), v.slice(L, 16)] });
    case '401':
    case '8004':
    case '8010': {
      const gcp = gcpFromText();
      if (gcp === null) return notEncodable(`(${pk}) must start with the ${L}-digit company prefix and carry more after it`);
      const rest = v.slice(L);
      if (pk === '401') return build({ kind: 'id', scheme: 'ginc', components: [gcp, rest] });
      if (pk === '8004') return build({ kind: 'id', scheme: 'giai', components: [gcp, rest] });
      const cpSerial = byAi.get('8011');
      return cpSerial === undefined
        ? build({ kind: 'idpat', scheme: 'cpi', components: [gcp, rest] })
        : build({ kind: 'id', scheme: 'cpi', components: [gcp, rest, cpSerial] });
    }
    default:
      return err('NOT_GS1', `(${pk}) has no EPC form`);
  }
}
