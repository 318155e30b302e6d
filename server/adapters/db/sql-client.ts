// One small SQL interface over PGlite (embedded) and node-postgres (production): raw SQL on hot paths, migrations by drizzle.
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export interface SqlExecutor {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface SqlClient extends SqlExecutor {
  readonly dialect: 'pglite' | 'postgres';
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<R>(fn: (tx: SqlExecutor) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

// int8 fits in a JS number for every index and seq we produce (< 2^53); node-postgres returns strings by default.
pg.types.setTypeParser(20, (v: string) => Number(v));

export interface OpenSqlClientOptions {
  /** PostgreSQL URL; when absent PGlite is used. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data directory, or 'memory://' for an in-memory store. */
  readonly dataDir?: string | undefined;
  readonly poolSize?: number;
}

export async function openSqlClient(options: OpenSqlClientOptions): Promise<SqlClient> {
  const client = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.poolSize ?? 8)
    : await openPglite(options.dataDir ?? 'memory://');
  return client;
}

async function openPglite(dataDir: string): Promise<SqlClient> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  await migratePglite(drizzlePglite(db), { migrationsFolder: MIGRATIONS_FOLDER });
  const exec = (runner: Pick<PGlite, 'query'>): SqlExecutor => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      const r = await runner.query<T>(text, params as unknown[] | undefined);
      return r.rows;
    },
  });
  return {
    dialect: 'pglite',
    ...exec(db),
    transaction: (fn) => db.transaction((tx) => fn(exec(tx))),
    close: () => db.close(),
  };
}

async function openPostgres(url: string, poolSize: number): Promise<SqlClient> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // Fail fast with the connection error rather than on first use.
  const probe = await pool.connect();
  probe.release();
  await migratePg(drizzlePg(pool), { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    dialect: 'postgres',
    async query<T>(text: string, params?: readonly unknown[]) {
      const r = await pool.query(text, params as unknown[] | undefined);
      return r.rows as T[];
    },
    async transaction(fn) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const result = await fn({
          async query<T>(text: string, params?: readonly unknown[]) {
            const r = await conn.query(text, params as unknown[] | undefined);
            return r.rows as T[];
          },
        });
        await conn.query('COMMIT');
        return result;
      } catch (e) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
}
