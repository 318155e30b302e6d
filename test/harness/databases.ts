// Test stores: PGlite always, and PostgreSQL too when PEDIGREE_TEST_DATABASE_URL is set (a fresh database per call, dropped after).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openSqlClient, type SqlClient } from '../../server/adapters/db/sql-client.js';

export interface TestStore {
  readonly name: 'pglite' | 'postgres';
  open(): Promise<{ client: SqlClient; url?: string; drop(): Promise<void> }>;
}


/** The stores every store contract test runs against. */
export const testStores: readonly TestStore[] = [
  {
    name: 'pglite',
    async open() {
      const client = await openSqlClient({ dataDir: 'memory://' });
      return { client, drop: async () => client.close() };
    },
  },
  ...(process.env.PEDIGREE_TEST_DATABASE_URL
    ? [
        {
          name: 'postgres' as const,
          async open() {
            const { url, drop } = await createTestDatabase();
            const client = await openSqlClient({ databaseUrl: url, poolSize: 4 });
            return {
              client,
              url,
              drop: async () => {
                await client.close();
                await drop();
              },
            };
          },
        },
      ]
    : []),
];

/** Creates an empty PostgreSQL database with a unique name on the test server; drop() removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.PEDIGREE_TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('PEDIGREE_TEST_DATABASE_URL is not set');
  const name = `pedigree_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
