// The unit view names each step's party from memory (party-names.ts): parties are only ever inserted, so a name is
// read once; a GLN with no party yet is asked again once `retryMs` has passed, and named when it has been registered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartyNames } from '../../../../server/adapters/db/party-names.js';
import type { SqlClient, SqlExecutor } from '../../../../server/adapters/db/sql-client.js';
import { testStores } from '../../../harness/databases.js';

const PHARMACY = '9506000000017';
const LATER = '9506000000024';

for (const target of testStores) {
  describe(`party names on ${target.name}`, () => {
    let opened: Awaited<ReturnType<typeof target.open>>;
    let db: SqlClient;
    let reads = 0;
    const counting: SqlExecutor = {
      query: (text, params, options) => {
        reads++;
        return db.query(text, params, options);
      },
    };
    beforeAll(async () => {
      opened = await target.open();
      db = opened.client;
      await db.query(`INSERT INTO parties (gln, name, role) VALUES ($1, 'Pharmacie Générale', 'pharmacy')`, [PHARMACY]);
    });
    afterAll(async () => opened?.drop());

    it('reads a registered party’s name once, then answers from memory', async () => {
      const names = new PartyNames(counting);
      reads = 0;
      expect((await names.namesOf([PHARMACY, PHARMACY])).get(PHARMACY)).toBe('Pharmacie Générale');
      expect((await names.namesOf([PHARMACY])).get(PHARMACY)).toBe('Pharmacie Générale');
      expect(reads).toBe(1);
    });

    it('asks again for a GLN without a party only after retryMs, and names it once it is registered', async () => {
      const names = new PartyNames(counting, { retryMs: 200 });
      reads = 0;
      expect((await names.namesOf([LATER])).has(LATER)).toBe(false);
      await db.query(`INSERT INTO parties (gln, name, role) VALUES ($1, 'Late Distributor', 'distributor')`, [LATER]);
      expect((await names.namesOf([LATER])).has(LATER)).toBe(false); // still within retryMs: not asked
      expect(reads).toBe(1);
      await new Promise((r) => setTimeout(r, 250));
      expect((await names.namesOf([LATER])).get(LATER)).toBe('Late Distributor');
      expect(reads).toBe(2);
    });

    it('forgets the GLNs it found without a party past maxAbsent, so that they cannot pile up', async () => {
      const names = new PartyNames(counting, { maxAbsent: 3 });
      await names.namesOf(['9506000000031', '9506000000048', '9506000000055']);
      reads = 0;
      await names.namesOf(['9506000000031']); // remembered as absent: not asked
      expect(reads).toBe(0);
      await names.namesOf(['9506000000062']); // a fourth: the record starts over
      await names.namesOf(['9506000000031']);
      expect(reads).toBe(2);
    });
  });
}
