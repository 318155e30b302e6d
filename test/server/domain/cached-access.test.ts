// The short-lived token and access-scope caches in front of the registry and access stores (cached-access.ts).
import { describe, expect, it } from 'vitest';
import { cacheAccessStore, cacheRegistryStore } from '../../../server/domain/cached-access.js';
import type { AccessStore, RegistryStore, TokenRecord } from '../../../server/domain/ports.js';

function fakeRegistry() {
  const tokens = new Map<string, TokenRecord>([['h1', { id: 1, party: '9521234500001', role: 'pharmacy' } as TokenRecord]]);
  const calls = { findToken: 0 };
  const registry = {
    async findToken(hash: string) {
      calls.findToken++;
      return tokens.get(hash);
    },
    async revokeToken(id: number) {
      for (const [h, t] of tokens) if (t.id === id) tokens.delete(h);
      return true;
    },
    async insertParty() {
      return true;
    },
    async insertToken(t: { tokenHash: string; party: string | null; role: string }) {
      tokens.set(t.tokenHash, { id: tokens.size + 1, party: t.party, role: t.role } as TokenRecord);
      return tokens.size;
    },
    async insertLocation() {
      return true;
    },
  } as unknown as RegistryStore;
  return { registry, calls };
}

function fakeAccess() {
  const locations = ['https://id.gs1.org/414/9521234500001/254/a'];
  const calls = { locationsOf: 0 };
  const access = {
    async locationsOf() {
      calls.locationsOf++;
      return [...locations];
    },
    async companyPrefixes() {
      return [];
    },
    async addCompanyPrefix() {
      return true;
    },
  } as unknown as AccessStore;
  return { access, calls, locations };
}

describe('the token cache', () => {
  it('reads a token once while it is fresh', async () => {
    const { registry, calls } = fakeRegistry();
    const cached = cacheRegistryStore(registry, () => undefined);
    expect(await cached.findToken('h1')).toMatchObject({ id: 1 });
    expect(await cached.findToken('h1')).toMatchObject({ id: 1 });
    expect(calls.findToken).toBe(1);
  });

  it('refuses a token at once after it was revoked through this process', async () => {
    const { registry } = fakeRegistry();
    let cleared = 0;
    const cached = cacheRegistryStore(registry, () => cleared++);
    expect(await cached.findToken('h1')).toBeDefined();
    await cached.revokeToken(1);
    expect(await cached.findToken('h1')).toBeUndefined();
    expect(cleared).toBe(1);
  });

  it('knows a token created through this process even if it was looked up before it existed', async () => {
    const { registry } = fakeRegistry();
    const cached = cacheRegistryStore(registry, () => undefined);
    expect(await cached.findToken('h2')).toBeUndefined();
    await cached.insertToken({ tokenHash: 'h2', party: null, role: 'admin' });
    expect(await cached.findToken('h2')).toMatchObject({ role: 'admin' });
  });

  it('reads the store again once the entry is older than the TTL', async () => {
    const { registry, calls } = fakeRegistry();
    const cached = cacheRegistryStore(registry, () => undefined, { ttlMs: 1 });
    await cached.findToken('h1');
    await new Promise((r) => setTimeout(r, 5));
    await cached.findToken('h1');
    expect(calls.findToken).toBe(2);
  });

  it('stays bounded when callers send many unknown tokens', async () => {
    const { registry, calls } = fakeRegistry();
    const cached = cacheRegistryStore(registry, () => undefined, { maxEntries: 10 });
    for (let i = 0; i < 100; i++) expect(await cached.findToken(`nope-${i}`)).toBeUndefined();
    await cached.findToken('nope-0');
    expect(calls.findToken).toBe(101);
  });
});

describe('the access-scope cache', () => {
  it('reads a party’s locations once and hands out copies', async () => {
    const { access, calls } = fakeAccess();
    const cached = cacheAccessStore(access);
    const a = await cached.locationsOf('9521234500001');
    a.push('mutated');
    expect(await cached.locationsOf('9521234500001')).toHaveLength(1);
    expect(calls.locationsOf).toBe(1);
  });

  it('sees a new location after the registry cleared it', async () => {
    const { access, calls, locations } = fakeAccess();
    const cachedAccess = cacheAccessStore(access);
    const registry = cacheRegistryStore(fakeRegistry().registry, () => cachedAccess.clear());
    await cachedAccess.locationsOf('9521234500001');
    locations.push('https://id.gs1.org/414/9521234500001/254/b');
    await registry.insertLocation({} as never);
    expect(await cachedAccess.locationsOf('9521234500001')).toHaveLength(2);
    expect(calls.locationsOf).toBe(2);
  });
});
