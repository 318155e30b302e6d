// The units and containers an EPCIS event touches, as canonical Digital Links: the keys of each pedigree chain.
import { epcUriToDigitalLink } from '../../schemas/gs1/epc-uri.js';
import { parseDigitalLink, formatDigitalLink } from '../../schemas/gs1/digital-link.js';
import type { Gs1Scan } from '../../schemas/gs1/gs1-scan.js';

/** The canonical form of an EPC and, for a Digital Link, what it parsed to. */
function canonicalForm(epc: string): { readonly canonical: string; readonly link?: Gs1Scan } | undefined {
  if (epc.startsWith('urn:')) {
    const r = epcUriToDigitalLink(epc);
    return r.ok ? { canonical: r.value } : undefined;
  }
  const r = parseDigitalLink(epc);
  if (!r.ok) return undefined;
  const f = formatDigitalLink(r.value);
  return f.ok ? { canonical: f.value, link: r.value } : undefined;
}

/** Canonical form of an EPC written as a URN or a Digital Link on any host; undefined when it is neither. */
export function canonicalIdentifier(epc: string): string | undefined {
  return canonicalForm(epc)?.canonical;
}

/**
 * The chain key of a unit or container named by an event (DESIGN.md §2): `https://id.gs1.org/01/{gtin}/21/{serial}`
 * or `https://id.gs1.org/00/{sscc}`, whatever lot (10) or expiry (17) the Digital Link also carries — those are
 * scanned attributes, not part of the identity. Other identifiers keep their canonical form.
 */
export function identifierKey(epc: string): string | undefined {
  return identifierFacts(epc)?.key;
}

function keyOfCanonical(canonical: string): string {
  const m = /^https:\/\/id\.gs1\.org\/01\/([0-9]{14})(?:\/22\/[^/?#]+)?(?:\/10\/[^/?#]+)?\/21\/([^/?#]+)/.exec(canonical);
  if (m) return `https://id.gs1.org/01/${m[1]}/21/${m[2]}`;
  const q = canonical.indexOf('?');
  return q < 0 ? canonical : canonical.slice(0, q);
}

/** An identifier's chain key with the lot (10) and expiry (17) its Digital Link carries, if any. */
export interface IdentifierFacts {
  readonly key: string;
  readonly lot: string | null;
  readonly expiry: string | null;
}

/** identifierKey and the scanned lot and expiry, from one parse of the identifier; undefined when it is none. */
export function identifierFacts(epc: string): IdentifierFacts | undefined {
  const form = canonicalForm(epc);
  if (!form) return undefined;
  const scan = form.link && (epc.includes('/10/') || epc.includes('17=')) ? form.link : undefined;
  return { key: keyOfCanonical(form.canonical), lot: scan?.lot ?? null, expiry: scan?.expiry ?? null };
}

/** identifierFacts remembered for the strings of one event: each is parsed once however many readers ask. */
export function identifierFactsOfOneEvent(): (epc: string) => IdentifierFacts | undefined {
  const seen = new Map<string, IdentifierFacts | undefined>();
  return (epc) => {
    if (seen.has(epc)) return seen.get(epc);
    const f = identifierFacts(epc);
    seen.set(epc, f);
    return f;
  };
}

/**
 * CBV 2.0 §8.9 leaves errorDeclaration out of the event hash, so a declaration has the hash ID of the event it
 * declares erroneous; its entry is keyed `{hashID}#errorDeclaration`, else it would be taken for a retransmission.
 */
export const ERROR_DECLARATION_SUFFIX = '#errorDeclaration';

const LIST_FIELDS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;

/** Every instance-level identifier named by the event (attacker-controlled: non-strings are skipped). */
export function eventIdentifiers(event: Record<string, unknown>, factsOf: (epc: string) => IdentifierFacts | undefined = identifierFacts): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v !== 'string') return;
    const id = factsOf(v)?.key;
    if (id !== undefined) out.add(id);
  };
  add(event.parentID);
  for (const field of LIST_FIELDS) {
    const list = event[field];
    if (Array.isArray(list)) for (const v of list) add(v);
  }
  return [...out];
}

// A device sends every event from the same few locations, so their canonical forms are remembered (bounded: the
// strings are attacker-controlled). Parsing the Digital Link again per event was 4 % of an envelope check.
const locationForms = new Map<string, string | null>();
const MAX_LOCATION_FORMS = 4096;

/** canonicalIdentifier of a party or location (read point, business location, source, destination), remembered: a
 * site names the same few in every event. */
export function canonicalLocationIdentifier(id: string): string | undefined {
  const known = locationForms.get(id);
  if (known !== undefined) return known ?? undefined;
  const canonical = canonicalIdentifier(id);
  if (id.length <= 512) {
    if (locationForms.size >= MAX_LOCATION_FORMS) locationForms.clear();
    locationForms.set(id, canonical ?? null);
  }
  return canonical;
}

function canonicalLocation(id: string): string {
  return canonicalLocationIdentifier(id) ?? id;
}

/** The event's location: readPoint, else bizLocation, canonicalised; undefined when it names none. */
export function eventLocation(event: Record<string, unknown>): string | undefined {
  for (const field of ['readPoint', 'bizLocation'] as const) {
    const v = event[field];
    if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') {
      return canonicalLocation((v as { id: string }).id);
    }
  }
  return undefined;
}
