// Proofs served from the SQL store verify with the schemas/ verifier: every index of trees of sizes 1…300, and
// random indexes at 1,000,000 entries (built in SQL, checked against a root computed here from the leaves).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { leafHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../../schemas/signing/merkle.js';
import { createSqlLedgerStore, type SqlLedgerStore } from '../../server/adapters/db/ledger-store.js';
import { getInclusionProof } from '../../server/log/proofs.js';
import { TreeNodeCache } from '../../server/log/tree-node-cache.js';
import type { SqlClient } from '../../server/adapters/db/sql-client.js';
import { appendEntries } from '../../server/domain/append-entries.js';
import { proveInclusion } from '../../server/domain/prove-inclusion.js';
import { proveConsistency } from '../../server/domain/prove-consistency.js';
import type { LedgerSigner, LedgerStore } from '../../server/domain/ports.js';
import { createLedgerSigner } from '../../server/adapters/ledger-signer.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { testStores } from '../harness/databases.js';
import { buildSyntheticLog } from '../harness/synthetic-log.js';

const signer: LedgerSigner = createLedgerSigner({ origin: 'test.pedigree/log', secretKey: generateKeyPair().secretKey });
const entryBytes = (i: number) => new TextEncoder().encode(`entry ${i}`);

describe.each(testStores)('proofs from the $name store', (testStore) => {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let store: SqlLedgerStore;

  beforeAll(async () => {
    ({ client: sql, drop } = await testStore.open());
    store = createSqlLedgerStore(sql);
  }, 120_000);
  afterAll(async () => drop?.());

  it('verifies every inclusion proof of every tree size from 1 to 300, and consistency between them', { timeout: 600_000 }, async () => {
    const leaves: Uint8Array[] = [];
    const roots: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      // One entry per batch: a checkpoint at every size.
      await appendEntries(store, signer, [
        { kind: 'ledger', bytes: entryBytes(i), device: null, seq: null, eventId: `e${i}`, eventTime: null, event: {}, identifiers: [] },
      ]);
      leaves.push(leafHash(entryBytes(i)));
      roots.push(rootFromLeafHashes(leaves));
    }
    let checked = 0;
    for (let size = 1; size <= 300; size++) {
      for (let index = 0; index < size; index++) {
        const p = await proveInclusion(store, index, size);
        const v = verifyInclusion({ index, size, leafHash: leaves[index]!, proof: p.hashes, root: roots[size - 1]! });
        if (!v.ok) throw new Error(`inclusion of ${index} in ${size}: ${v.message}`);
        checked++;
      }
      if (size > 1) {
        const from = Math.max(1, Math.floor(size / 3));
        const c = await proveConsistency(store, from, size);
        const v = verifyConsistency({ size1: from, size2: size, root1: roots[from - 1]!, root2: roots[size - 1]!, proof: c.hashes });
        if (!v.ok) throw new Error(`consistency ${from}→${size}: ${v.message}`);
      }
    }
    expect(checked).toBe((300 * 301) / 2);
  });

  it('warms the node cache a page at a time and serves the store’s proofs from it', async () => {
    const cache = new TreeNodeCache(store, { minLevel: 1 });
    // Levels 1…8 of 300 leaves: 150 + 75 + 37 + 18 + 9 + 4 + 2 + 1 nodes, in pages of 16.
    expect(await cache.warm(300, (level, from, limit) => store.levelNodes(level, from, limit), 16)).toBe(296);
    expect(cache.level).toBe(1);
    for (const index of [0, 1, 150, 255, 256, 299]) {
      expect(await getInclusionProof(cache, index, 300, 300)).toEqual(await getInclusionProof(store, index, 300, 300));
    }
  });
});

describe.each(testStores)('proofs at 1,000,000 entries on $name', (testStore) => {
  const N = 1_000_000;
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let store: LedgerStore;
  let root: Uint8Array;
  let leaves: Uint8Array[];

  beforeAll(async () => {
    ({ client: sql, drop } = await testStore.open());
    store = createSqlLedgerStore(sql);
    await buildSyntheticLog(sql, N);
    leaves = Array.from({ length: N }, (_, i) => sha256(new Uint8Array([0, ...entryBytes(i)])));
    root = rootFromLeafHashes(leaves);
    await sql.query('INSERT INTO checkpoints (size, root, note) VALUES ($1, $2, $3)', [N, root, signer.signCheckpoint(N, root)]);
  }, 600_000);
  afterAll(async () => drop?.());

  it('serves inclusion proofs for random indexes that verify against the independently computed root', async () => {
    for (let k = 0; k < 300; k++) {
      const index = k === 0 ? 0 : k === 1 ? N - 1 : Math.floor(Math.random() * N);
      const p = await proveInclusion(store, index);
      expect(p.size).toBe(N);
      const v = verifyInclusion({ index, size: N, leafHash: leaves[index]!, proof: p.hashes, root });
      expect(v.ok).toBe(true);
      expect(p.hashes.length).toBeLessThanOrEqual(20);
    }
  });

  it('serves consistency proofs from earlier sizes that verify', async () => {
    for (const from of [1, 2, 1000, 524_288, 999_999, Math.floor(Math.random() * N) + 1]) {
      const c = await proveConsistency(store, from, N);
      const v = verifyConsistency({ size1: from, size2: N, root1: rootFromLeafHashes(leaves.slice(0, from)), root2: root, proof: c.hashes });
      expect(v.ok).toBe(true);
    }
  });
});
