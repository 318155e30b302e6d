// The units and containers an EPCIS event touches, as canonical Digital Links: the keys of each pedigree chain.
import { epcUriToDigitalLink } from '../../schemas/gs1/epc-uri.js';
import { parseDigitalLink, formatDigitalLink } from '../../schemas/gs1/digital-link.js';

/** Canonical form of an EPC written as a URN or a Digital Link on any host; undefined when it is neither. */
export function canonicalIdentifier(epc: string): string | undefined {
  if (epc.startsWith('urn:')) {
    const r = epcUriToDigitalLink(epc);
    return r.ok ? r.value : undefined;
  }
  const r = parseDigitalLink(epc);
  if (!r.ok) return undefined;
  const f = formatDigitalLink(r.value);
  return f.ok ? f.value : undefined;
}

const LIST_FIELDS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;

/** Every instance-level identifier named by the event (attacker-controlled: non-strings are skipped). */
export function eventIdentifiers(event: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v !== 'string') return;
    const id = canonicalIdentifier(v);
    if (id !== undefined) out.add(id);
  };
  add(event.parentID);
  for (const field of LIST_FIELDS) {
    const list = event[field];
    if (Array.isArray(list)) for (const v of list) add(v);
  }
  return [...out];
}

/** The event's location: readPoint, else bizLocation, canonicalised; undefined when it names none. */
export function eventLocation(event: Record<string, unknown>): string | undefined {
  for (const field of ['readPoint', 'bizLocation'] as const) {
    const v = event[field];
    if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') {
      return canonicalIdentifier((v as { id: string }).id) ?? (v as { id: string }).id;
    }
  }
  return undefined;
}
