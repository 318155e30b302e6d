// EPC URNs (TDS 1.13 §6 pure identity, §6.4 lgtin class, §8 idpat) to and from GS1 Digital Link and element strings.

import type { Gs1ErrorCode } from '../codes.js';
import { err, ok } from '../result.js';
import type { Result } from '../result.js';
import { escapeEpcComponent, unescapeEpcComponent } from './epc-escape.js';
import { formatEpcElementString, parseEpcElementString } from './epc-elements.js';
import { formatEpcDigitalLink, parseDigitalLinkElements } from './epc-digital-link.js';
import {
  EPC_CLASS_PATTERN_SCHEMES,
  EPC_ID_SCHEMES,
  elementsToEpcIdentity,
  epcIdentityToElements,
  specsOf,
  validateComponents,
} from './epc-identity.js';
import type { EpcClassPatternScheme, EpcIdScheme, EpcIdentity } from './epc-identity.js';

const MAX_EPC_URI_LENGTH = 256;

const ID_SCHEMES: ReadonlySet<string> = new Set(EPC_ID_SCHEMES);
const PATTERN_SCHEMES: ReadonlySet<string> = new Set(EPC_CLASS_PATTERN_SCHEMES);

function isIdScheme(scheme: string): scheme is EpcIdScheme {
  return ID_SCHEMES.has(scheme);
}

function isPatternScheme(scheme: string): scheme is EpcClassPatternScheme {
  return PATTERN_SCHEMES.has(scheme);
}

/** Splits `body` at its first `count − 1` dots; the last part keeps any further dots (a serial may contain `.`). */
function splitComponents(body: string, count: number): string[] | null {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < count - 1; i++) {
    const dot = body.indexOf('.', from);
    if (dot < 0) return null;
    parts.push(body.slice(from, dot));
    from = dot + 1;
  }
  parts.push(body.slice(from));
  return parts;
}

/**
 * Reads an EPC pure-identity URN (`urn:epc:id:sgtin:0614141.812345.6789`), an lgtin class
 * (`urn:epc:class:lgtin:…`) or a single-class pattern (`urn:epc:idpat:sgtin:0614141.812345.*`); input is
 * attacker-controlled. Escapes are decoded (TDS §5, Table A-1), every component is checked against the
 * scheme's layout and the GS1 key it denotes. `urn:epc:` is case-insensitive (RFC 8141 §3.1); the rest is not.
 */
export function parseEpcUri(uri: string): Result<EpcIdentity, Gs1ErrorCode> {
  if (typeof uri !== 'string' || uri.length === 0) return err('EMPTY_INPUT', 'the EPC URI is empty');
  if (uri.length > MAX_EPC_URI_LENGTH) return err('INPUT_TOO_LONG', `an EPC URI longer than ${MAX_EPC_URI_LENGTH} characters is refused`);
  if (uri.slice(0, 8).toLowerCase() !== 'urn:epc:') return err('INVALID_EPC', 'an EPC URI starts with urn:epc:');
  const typeEnd = uri.indexOf(':', 8);
  const schemeEnd = typeEnd < 0 ? -1 : uri.indexOf(':', typeEnd + 1);
  if (schemeEnd < 0) return err('INVALID_EPC', 'expected urn:epc:{id|class|idpat}:{scheme}:{components}');
  const type = uri.slice(8, typeEnd);
  const scheme = uri.slice(typeEnd + 1, schemeEnd);
  let body = uri.slice(schemeEnd + 1);

  let identity: EpcIdentity;
  if (type === 'id') {
    if (!isIdScheme(scheme)) return err('UNSUPPORTED_EPC_SCHEME', `urn:epc:id:${scheme} is not a scheme this project reads`);
    identity = { kind: 'id', scheme, components: [] };
  } else if (type === 'class') {
    if (scheme !== 'lgtin') return err('UNSUPPORTED_EPC_SCHEME', `urn:epc:class:${scheme} is not a class this project reads`);
    identity = { kind: 'class', scheme, components: [] };
  } else if (type === 'idpat') {
    if (!isPatternScheme(scheme)) return err('UNSUPPORTED_EPC_SCHEME', `urn:epc:idpat:${scheme} patterns have no single GS1 class key`);
    if (!body.endsWith('.*')) return err('INVALID_EPC', 'a class pattern ends with ".*"');
    body = body.slice(0, -2);
    if (body.includes('*')) return err('UNSUPPORTED_EPC_SCHEME', 'a pattern with more than one wildcard matches several classes');
    identity = { kind: 'idpat', scheme, components: [] };
  } else if (type === 'tag' || type === 'raw' || type === 'pat') {
    return err('UNSUPPORTED_EPC_SCHEME', `urn:epc:${type}: is a tag-level form; convert it to a pure identity first`);
  } else {
    return err('INVALID_EPC', `urn:epc:${type}: is not an EPC URI form`);
  }

  const specs = specsOf(identity);
  const parts = splitComponents(body, specs.length);
  if (!parts) return err('INVALID_EPC', `urn:epc:${type}:${scheme} has ${specs.length} dot-separated components`);
  const components: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const spec = specs[i];
    const part = parts[i] ?? '';
    if (spec?.type === 'text') {
      const decoded = unescapeEpcComponent(part, spec.charset);
      if (decoded === null) return err('INVALID_EPC', `component ${i + 1} has a character that is not allowed or a bad %-escape`);
      components.push(decoded);
    } else {
      components.push(part);
    }
  }
  const problem = validateComponents(specs, components);
  if (problem) return problem;
  identity = { ...identity, components };
  if (identity.scheme !== 'gid') {
    const elements = epcIdentityToElements(identity);
    if (!elements.ok) return elements;
  }
  return ok(identity);
}

/** Writes an identity as its canonical EPC URN, escaping components per TDS Table A-1. */
export function formatEpcUri(identity: EpcIdentity): string {
  const prefix = identity.kind === 'id' ? 'urn:epc:id:' : identity.kind === 'class' ? 'urn:epc:class:' : 'urn:epc:idpat:';
  let body = '';
  for (let i = 0; i < identity.components.length; i++) {
    if (i > 0) body += '.';
    body += escapeEpcComponent(identity.components[i] ?? '');
  }
  return prefix + identity.scheme + ':' + body + (identity.kind === 'idpat' ? '.*' : '');
}

/** The canonical Digital Link of an identity; a GID has none (UNSUPPORTED_EPC_SCHEME). */
export function epcIdentityToDigitalLink(identity: EpcIdentity): Result<string, Gs1ErrorCode> {
  const elements = epcIdentityToElements(identity);
  return elements.ok ? ok(formatEpcDigitalLink(elements.value)) : elements;
}

/**
 * EPC URN → canonical GS1 Digital Link on https://id.gs1.org, exactly as the CBV 2.0 event hash
 * (§8.9) needs it: `urn:epc:id:sgtin:0614141.812345.6789%2F!` → `https://id.gs1.org/01/80614141123458/21/6789%2F%21`,
 * `urn:epc:class:lgtin:…` → `/01/{gtin}/10/{lot}`, `urn:epc:idpat:sgtin:…*` → `/01/{gtin}`, an SGLN with
 * extension 0 → `/414/{gln}`. Input is attacker-controlled; errors are INVALID_EPC, UNSUPPORTED_EPC_SCHEME,
 * EMPTY_INPUT or INPUT_TOO_LONG.
 */
export function epcUriToDigitalLink(uri: string): Result<string, Gs1ErrorCode> {
  const identity = parseEpcUri(uri);
  return identity.ok ? epcIdentityToDigitalLink(identity.value) : identity;
}

/** EPC URN → bracketed element string, e.g. `(01)80614141123458(21)6789` (TDS §7). */
export function epcUriToElementString(uri: string): Result<string, Gs1ErrorCode> {
  const identity = parseEpcUri(uri);
  if (!identity.ok) return identity;
  const elements = epcIdentityToElements(identity.value);
  return elements.ok ? ok(formatEpcElementString(elements.value)) : elements;
}

/**
 * GS1 Digital Link (any host, attacker-controlled) → EPC URN. A Digital Link does not say how long the
 * GS1 Company Prefix is, so the caller passes `gcpLength` (6–12, from its GCP length table). GTIN+serial
 * → sgtin, GTIN+lot → `urn:epc:class:lgtin`, GTIN alone → `urn:epc:idpat:sgtin:…*`; (22) is dropped and so
 * is (10) next to (21). EPC_NOT_ENCODABLE when the key has no EPC form with that prefix length.
 */
export function digitalLinkToEpcUri(dl: string, gcpLength: number): Result<string, Gs1ErrorCode> {
  const elements = parseDigitalLinkElements(dl);
  if (!elements.ok) return elements;
  const identity = elementsToEpcIdentity(elements.value, gcpLength);
  return identity.ok ? ok(formatEpcUri(identity.value)) : identity;
}

/** Bracketed element string (attacker-controlled), e.g. `(01)80614141123458(21)6789` → EPC URN, given the GCP length. */
export function elementStringToEpcUri(elementString: string, gcpLength: number): Result<string, Gs1ErrorCode> {
  const elements = parseEpcElementString(elementString);
  if (!elements.ok) return elements;
  const identity = elementsToEpcIdentity(elements.value, gcpLength);
  return identity.ok ? ok(formatEpcUri(identity.value)) : identity;
}
