// One small SQL interface over PGlite (embedded) and node-postgres (production): raw SQL on hot paths, migrations by drizzle.
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export interface SqlExecutor {
  /**
   * `prepare`: a constant statement run often (hot read paths): on PostgreSQL it is prepared once per connection and
   * its plan reused, saving the parse and plan of every call. Never for statements whose text varies.
   */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: { readonly prepare?: boolean }): Promise<T[]>;
}

const statementNames = new Map<string, string>();
/** A stable name per statement text, for node-postgres named (prepared) statements. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `pdg_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

export interface SqlClient extends SqlExecutor {
  readonly dialect: 'pglite' | 'postgres';
  /**
   * Runs fn in one transaction: committed when fn resolves, rolled back when it throws. `first`: a constant
   * statement without parameters (a lock) run before fn; on PostgreSQL it travels with BEGIN in one round trip.
   */
  transaction<R>(fn: (tx: SqlExecutor) => Promise<R>, options?: { readonly first?: string }): Promise<R>;
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

/**
 * PGlite's `json` and `bytea` parameter serializers, letting bytes through: a Uint8Array goes out as a binary
 * parameter (json's binary form is its UTF-8 text, bytea's its bytes) instead of being measured and copied character
 * by character in JavaScript (json-rows-insert.ts `jsonParam`), or, for bytea, spelt out in hex one byte at a time
 * (a batch's entry bytes, ledger-store.ts: a megabyte). node-postgres sends Buffers as binary parameters by itself.
 */
const JSON_OID = 114;
const BYTEA_OID = 17;
const PGLITE_SERIALIZERS = {
  [JSON_OID]: (v: unknown) => (v instanceof Uint8Array ? v : typeof v === 'string' ? v : JSON.stringify(v)),
  [BYTEA_OID]: (v: unknown) => (v instanceof Uint8Array ? v : String(v)),
} as unknown as Record<number, (v: unknown) => string>;

async function openPglite(dataDir: string): Promise<SqlClient> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  await migratePglite(drizzlePglite(db), { migrationsFolder: MIGRATIONS_FOLDER });
  const exec = (runner: Pick<PGlite, 'query'>): SqlExecutor => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      const r = await runner.query<T>(text, params as unknown[] | undefined, { serializers: PGLITE_SERIALIZERS });
      return r.rows;
    },
  });
  return {
    dialect: 'pglite',
    ...exec(db),
    transaction: (fn, options) =>
      db.transaction(async (tx) => {
        if (options?.first) await tx.query(options.first);
        return fn(exec(tx));
      }),
    close: () => db.close(),
  };
}

async function openPostgres(url: string, poolSize: number): Promise<SqlClient> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection the server drops (restart, admin kill) errors on the pool; unhandled, that kills the process.
  // The pool replaces it on next use, and the query that needs it reports the failure.
  pool.on('error', () => undefined);
  // Fail fast with the connection error rather than on first use.
  const probe = await pool.connect();
  probe.release();
  await migratePg(drizzlePg(pool), { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    dialect: 'postgres',
    async query<T>(text: string, params?: readonly unknown[], options?: { readonly prepare?: boolean }) {
      const values = params as unknown[] | undefined;
      const r = options?.prepare ? await pool.query({ name: statementName(text), text, ...(values ? { values } : {}) }) : await pool.query(text, values);
      return r.rows as T[];
    },
    async transaction(fn, options) {
      const conn = await pool.connect();
      let last: Promise<unknown> = Promise.resolve();
      try {
        // Without parameters node-postgres sends the simple query protocol, which takes several statements.
        await conn.query(options?.first ? `BEGIN; ${options.first}` : 'BEGIN');
        // Statements the caller sends together run one after another, each as the previous completes: node-postgres
        // queues them itself, but that is deprecated (removed in pg 9), so the chain is kept here.
        const result = await fn({
          query<T>(text: string, params?: readonly unknown[], options?: { readonly prepare?: boolean }): Promise<T[]> {
            const values = params as unknown[] | undefined;
            const run = async () => {
              const r = options?.prepare ? await conn.query({ name: statementName(text), text, ...(values ? { values } : {}) }) : await conn.query(text, values);
              return r.rows as T[];
            };
            const next = last.then(run, run);
            last = next.catch(() => undefined);
            return next;
          },
        });
        await last;
        await conn.query('COMMIT');
        return result;
      } catch (e) {
        await last; // statements still queued behind the one that failed
        await conn.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
}
