// Short-lived caches in front of what every authenticated request reads: the bearer token's record and the caller's
// locations and company prefixes (resolve-access-scope.ts). Without them a pharmacist's verification cost three
// database round trips instead of one (bench/RESULTS.md, verify). Changes made through this process (revoking a
// token, adding a location or a company prefix) take effect at once; changes made by another ledger process
// sharing the database take effect within `ttlMs`.
import type { AccessStore, RegistryStore, TokenRecord } from './ports.js';

export interface CachedAccessOptions {
  /** How long a looked-up record is reused (default 5 s). */
  readonly ttlMs?: number;
  /** Most records kept per cache; past it the cache starts over (tokens are attacker-chosen strings). */
  readonly maxEntries?: number;
}

class TtlCache<V> {
  readonly #entries = new Map<string, { at: number; value: Promise<V> }>();
  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    const value = load();
    this.#entries.set(key, { at: now, value });
    value.catch(() => this.#entries.delete(key));
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The registry with `findToken` cached; revoking a token or changing parties and locations clears the caches. */
export function cacheRegistryStore(registry: RegistryStore, onChange: () => void, o: CachedAccessOptions = {}): RegistryStore {
  const tokens = new TtlCache<TokenRecord | undefined>(o.ttlMs ?? 5_000, o.maxEntries ?? 10_000);
  const changed = () => {
    tokens.clear();
    onChange();
  };
  // Whatever a write did, the caches may now be wrong: clear them even when it failed half-way.
  const clearing =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await write(...args);
      } finally {
        changed();
      }
    };
  return {
    ...registry,
    findToken: (tokenHash) => tokens.get(tokenHash, () => registry.findToken(tokenHash)),
    // A token looked up before it existed is cached as unknown: creating one must clear that.
    insertToken: clearing((t) => registry.insertToken(t)),
    revokeToken: clearing((id) => registry.revokeToken(id)),
    insertParty: clearing((p) => registry.insertParty(p)),
    insertLocation: clearing((l) => registry.insertLocation(l)),
  };
}

/** The access store with the per-party lists cached; `clear` drops them (also after a prefix is added here). */
export function cacheAccessStore(access: AccessStore, o: CachedAccessOptions = {}): AccessStore & { clear(): void } {
  const ttl = o.ttlMs ?? 5_000;
  const max = o.maxEntries ?? 10_000;
  const locations = new TtlCache<string[]>(ttl, max);
  const prefixes = new TtlCache<string[]>(ttl, max);
  const clear = () => {
    locations.clear();
    prefixes.clear();
  };
  return {
    ...access,
    // Copies: callers may sort or extend what they get.
    locationsOf: (party) => locations.get(party, () => access.locationsOf(party)).then((l) => [...l]),
    companyPrefixes: (party) => prefixes.get(party, () => access.companyPrefixes(party)).then((p) => [...p]),
    async addCompanyPrefix(party, prefix) {
      try {
        return await access.addCompanyPrefix(party, prefix);
      } finally {
        clear();
      }
    },
    clear,
  };
}
