// Display names for the GLNs and SGLNs pages show (parties, sites), read from the registry and cached briefly. Names
// are labels beside the identifiers, never instead of them.
import type { RegistryStore } from '../../domain/ports.js';

export type NameRegistry = Pick<RegistryStore, 'findParty' | 'findLocation'>;

const TTL_MS = 60_000;
const MAX = 5000;

export class Names {
  readonly #registry: NameRegistry;
  readonly #cache = new Map<string, { name: string | null; at: number }>();

  constructor(registry: NameRegistry) {
    this.#registry = registry;
  }

  async #get(key: string, load: () => Promise<string | null>): Promise<string | null> {
    const hit = this.#cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.name;
    let name: string | null = null;
    try {
      name = await load();
    } catch {
      name = null;
    }
    if (this.#cache.size >= MAX) this.#cache.clear();
    this.#cache.set(key, { name, at: Date.now() });
    return name;
  }

  party(gln: string | null | undefined): Promise<string | null> {
    if (!gln || !/^[0-9]{13}$/.test(gln)) return Promise.resolve(null);
    return this.#get(`p:${gln}`, async () => (await this.#registry.findParty(gln))?.name ?? null);
  }

  location(sgln: string | null | undefined): Promise<string | null> {
    if (!sgln || sgln.length > 200) return Promise.resolve(null);
    return this.#get(`l:${sgln}`, async () => (await this.#registry.findLocation(sgln))?.name ?? null);
  }

  /** Names of many GLNs at once, as a map (unknown ones absent). */
  async parties(glns: Iterable<string | null | undefined>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const g of new Set(glns)) {
      if (!g) continue;
      const n = await this.party(g);
      if (n !== null) out.set(g, n);
    }
    return out;
  }

  async locations(sglns: Iterable<string | null | undefined>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const l of new Set(sglns)) {
      if (!l) continue;
      const n = await this.location(l);
      if (n !== null) out.set(l, n);
    }
    return out;
  }
}
