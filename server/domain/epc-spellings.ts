// The spellings one GS1 identifier can have in a stored event, so an EPCIS query matches it however it was written
// (EPCIS 2.0 §8.2.7.1.1 with the GS1 Digital Link equivalence of EPCIS 2.0 §7.3): the value as given, its canonical
// Digital Link on id.gs1.org, and its EPC URN under every GS1 Company Prefix length (6–12). A Digital Link does not
// say how long the company prefix is (TDS §7), so every partition is listed: each names the same GS1 key, so matching
// any of them is matching that key. Query values are attacker-controlled: every outcome is bounded.
import { digitalLinkToEpcUri, epcUriToDigitalLink, parseEpcUri } from '../../schemas/gs1/epc-uri.js';
import { canonicalIdentifier, identifierKey } from './event-identifiers.js';

const GCP_LENGTHS = [6, 7, 8, 9, 10, 11, 12] as const;

function isDigitalLink(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** Every spelling of an instance or class identifier (EPC URN, class URN, Digital Link), the value first. */
export function identifierSpellings(value: string): string[] {
  const out = new Set<string>([value]);
  let canonical: string | undefined;
  if (value.startsWith('urn:epc:')) {
    const dl = epcUriToDigitalLink(value);
    if (dl.ok) canonical = dl.value;
  } else if (isDigitalLink(value)) {
    canonical = canonicalIdentifier(value);
  }
  if (canonical === undefined) return [...out];
  out.add(canonical);
  // A Digital Link with a lot next to its serial names the same unit as the one without (DESIGN.md §2).
  const key = identifierKey(canonical);
  if (key !== undefined) out.add(key);
  for (const dl of new Set([canonical, key ?? canonical])) {
    for (const length of GCP_LENGTHS) {
      const urn = digitalLinkToEpcUri(dl, length);
      if (urn.ok) out.add(urn.value);
    }
  }
  return [...out];
}

/**
 * The prefixes an EPC pattern (`urn:epc:idpat:sgtin:0614141.107346.*`, `urn:epc:idpat:sgtin:0614141.*.*`) matches
 * identifiers by, in URN and Digital Link spellings; undefined when the value is not a pattern.
 */
export function patternPrefixes(value: string): string[] | undefined {
  const m = /^urn:epc:idpat:([a-z0-9]+):(.+)$/.exec(value);
  if (!m) return undefined;
  const scheme = m[1]!;
  const components = m[2]!.split('.');
  const firstWildcard = components.indexOf('*');
  if (firstWildcard < 1 || components.slice(firstWildcard).some((c) => c !== '*')) return [];
  const fixed = components.slice(0, firstWildcard);
  const out = new Set<string>([`urn:epc:id:${scheme}:${fixed.join('.')}.`]);
  // A single-wildcard pattern names one class key (a GTIN for sgtin): its Digital Link prefixes the instances'.
  const parsed = parseEpcUri(value);
  if (parsed.ok) {
    const classLink = epcUriToDigitalLink(value);
    if (classLink.ok) {
      out.add(scheme === 'sgtin' ? `${classLink.value}/` : classLink.value);
      for (const length of GCP_LENGTHS) {
        const urn = digitalLinkToEpcUri(classLink.value, length);
        if (urn.ok && urn.value.endsWith('.*')) out.add(`urn:epc:id:${scheme}:${urn.value.slice(`urn:epc:idpat:${scheme}:`.length, -1)}`);
      }
    }
  }
  return [...out];
}
