// The part of GS1 Digital Link (DL URI Syntax 1.2) that carries EPC-able keys: reading the key path, writing the canonical URI.

import type { Gs1ErrorCode } from '../codes.js';
import { err, ok } from '../result.js';
import type { Result } from '../result.js';
import { decodeDigitalLinkValue, encodeDigitalLinkValue } from './epc-escape.js';
import { validateElement } from './epc-elements.js';
import type { Gs1Element } from './epc-elements.js';
import { isEpcPrimaryKeyAi } from './epc-identity.js';

/** The canonical host of GS1 Digital Link URIs used as identifiers (DL URI Syntax 1.2; CBV 2.0 §8.9). */
export const CANONICAL_DIGITAL_LINK_HOST = 'https://id.gs1.org';

const MAX_DIGITAL_LINK_LENGTH = 2048;

/** DL 1.1 short names, deprecated by DL 1.2 but still met in EPCIS documents (e.g. `https://id.gs1.org/giai/…`). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  gtin: '01', itip: '8006', cpid: '8010', gln: '414', party: '417', gsrnp: '8017', gsrn: '8018', gcn: '255',
  sscc: '00', gdti: '253', ginc: '401', gsin: '402', grai: '8003', giai: '8004', cpv: '22', lot: '10', ser: '21',
  glnx: '254', srin: '8019',
};

/**
 * Key qualifiers allowed after each primary key, as alternative ordered sequences (syntax dictionary
 * `dlpkey=` entries, e.g. `01 … dlpkey=22,10,21|235`). A path may use any in-order subset of one sequence.
 */
const QUALIFIERS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  '01': [['22', '10', '21'], ['235']],
  '8006': [['22', '10', '21']],
  '414': [['254'], ['7040']],
  '417': [['7040']],
  '8004': [['7040']],
  '8010': [['8011']],
  '8017': [['8019']],
  '8018': [['8019']],
};

function aiOf(segment: string): string {
  return SHORT_NAMES[segment] ?? segment;
}

/** True when `ais` (the qualifiers after `pk`) follow one of the allowed sequences in order. */
function qualifiersAllowed(pk: string, ais: readonly string[]): boolean {
  if (ais.length === 0) return true;
  return (QUALIFIERS[pk] ?? []).some((sequence) => {
    let at = 0;
    for (const ai of ais) {
      const found = sequence.indexOf(ai, at);
      if (found < 0) return false;
      at = found + 1;
    }
    return true;
  });
}

const URI_SHAPE = /^(https?):\/\/([^/?#\s]+)(\/[^?#\s]*)(\?[^#\s]*)?(#\S*)?$/i;

/**
 * Reads the key elements of an uncompressed GS1 Digital Link URI (attacker-controlled), from any host and
 * path prefix: `https://example.com/some/prefix/01/09506000134352/10/L1/21/S1?17=…` → (01), (10), (21).
 * The query string (data attributes) is ignored. GTIN-8/12/13 are zero-padded to 14 digits, as DL URI Syntax 1.2 asks.
 */
export function parseDigitalLinkElements(dl: string): Result<Gs1Element[], Gs1ErrorCode> {
  if (typeof dl !== 'string' || dl.length === 0) return err('EMPTY_INPUT', 'the Digital Link is empty');
  if (dl.length > MAX_DIGITAL_LINK_LENGTH) return err('INPUT_TOO_LONG', `a Digital Link longer than ${MAX_DIGITAL_LINK_LENGTH} characters is refused`);
  const shape = URI_SHAPE.exec(dl);
  if (!shape) return err('INVALID_DIGITAL_LINK', 'not an http(s) URI with a path');
  const segments = (shape[3] ?? '').slice(1).split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop(); // one trailing slash is tolerated
  if (segments.some((s) => s === '')) return err('INVALID_DIGITAL_LINK', 'the path has an empty segment');

  // A key path is the primary key and at most three qualifiers at the end of the path: 2–8 segments.
  for (let start = Math.max(0, segments.length - 8); start + 2 <= segments.length; start++) {
    if ((segments.length - start) % 2 !== 0) continue;
    const pk = aiOf(segments[start] ?? '');
    if (!isEpcPrimaryKeyAi(pk)) continue;
    const qualifierAis: string[] = [];
    for (let i = start + 2; i < segments.length; i += 2) qualifierAis.push(aiOf(segments[i] ?? ''));
    if (!qualifiersAllowed(pk, qualifierAis)) continue;

    const elements: Gs1Element[] = [];
    for (let i = start; i < segments.length; i += 2) {
      const ai = aiOf(segments[i] ?? '');
      let value = decodeDigitalLinkValue(segments[i + 1] ?? '');
      if (value === null) return err('INVALID_DIGITAL_LINK', `(${ai}) has a malformed or non-ASCII percent-escape`, { path: `(${ai})` });
      if (ai === '01' && /^(?:[0-9]{8}|[0-9]{12}|[0-9]{13})$/.test(value)) value = value.padStart(14, '0');
      const element = { ai, value };
      const problem = validateElement(element);
      if (problem) return problem;
      elements.push(element);
    }
    return ok(elements);
  }
  return err('INVALID_DIGITAL_LINK', 'no GS1 key path (e.g. /01/{gtin}/21/{serial}) that an EPC can denote');
}

/** Writes elements (key first, qualifiers in order) as a canonical Digital Link on id.gs1.org. */
export function formatEpcDigitalLink(elements: readonly Gs1Element[]): string {
  let out = CANONICAL_DIGITAL_LINK_HOST;
  for (const { ai, value } of elements) out += `/${ai}/${encodeDigitalLinkValue(value)}`;
  return out;
}

/**
 * The constrained canonical Digital Link that identifies the same object (CBV 2.0 §8.9, GS1's event-hash
 * reference): host id.gs1.org, numeric AIs, GTIN-14, no query; the consumer product variant (22) is dropped,
 * and so is the lot (10) when a serial (21) is present, since the serial alone identifies the instance.
 */
export function canonicalizeDigitalLink(dl: string): Result<string, Gs1ErrorCode> {
  const parsed = parseDigitalLinkElements(dl);
  if (!parsed.ok) return parsed;
  const hasSerial = parsed.value.some((e) => e.ai === '21');
  return ok(formatEpcDigitalLink(parsed.value.filter((e) => e.ai !== '22' && !(hasSerial && e.ai === '10'))));
}
