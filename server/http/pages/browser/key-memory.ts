// Trust on first use for the ledger key: the browser remembers the key it first verified with, and a different key
// later is reported as a change, never silently accepted (the same rule as SSH's known_hosts).

export const KEY_STORAGE_NAME = 'pedigree.ledger-key';

export interface KeyStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface RememberedKey {
  readonly vkey: string;
  /** ISO time the browser first trusted it. */
  readonly since: string;
}

export type KeyMemory =
  | { readonly status: 'first-use'; readonly since: string }
  | { readonly status: 'same'; readonly since: string }
  | { readonly status: 'changed'; readonly previous: RememberedKey }
  | { readonly status: 'unavailable' };

function read(storage: KeyStorage): RememberedKey | undefined {
  const raw = storage.getItem(KEY_STORAGE_NAME);
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<RememberedKey>;
    if (typeof v.vkey === 'string' && typeof v.since === 'string') return { vkey: v.vkey, since: v.since };
  } catch {
    // A damaged record is not a key: fall through.
  }
  // Something is stored but unreadable: treat it as a key that is not this one, so the person is asked.
  return { vkey: raw.slice(0, 200), since: 'unknown' };
}

/** Compares `vkey` with the remembered key, remembering it on first use. Storage may be missing or refuse. */
export function recallKey(storage: KeyStorage | undefined, vkey: string, now: Date): KeyMemory {
  if (!storage) return { status: 'unavailable' };
  try {
    const known = read(storage);
    if (!known) {
      const since = now.toISOString();
      storage.setItem(KEY_STORAGE_NAME, JSON.stringify({ vkey, since }));
      return { status: 'first-use', since };
    }
    return known.vkey === vkey ? { status: 'same', since: known.since } : { status: 'changed', previous: known };
  } catch {
    return { status: 'unavailable' };
  }
}

/** The person confirmed the new key out of band: remember it instead. */
export function trustKey(storage: KeyStorage, vkey: string, now: Date): void {
  storage.setItem(KEY_STORAGE_NAME, JSON.stringify({ vkey, since: now.toISOString() }));
}
