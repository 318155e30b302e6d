// Builds one multi-row INSERT for a batch: raw SQL on the append path (drizzle's builder costs 2.5-4x here).
import type { SqlExecutor } from './sql-client.js';

const MAX_PARAMS = 60_000; // PostgreSQL's protocol limit is 65,535 parameters per statement.

/**
 * Inserts rows in as few statements as the parameter limit allows.
 * `casts` gives each column's SQL cast (e.g. 'jsonb'), or '' for none.
 */
export async function insertRows(
  tx: SqlExecutor,
  table: string,
  columns: readonly string[],
  casts: readonly string[],
  rows: readonly (readonly unknown[])[],
  suffix = '',
): Promise<void> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const slots = row.map((value, i) => {
        params.push(value);
        const cast = casts[i];
        return cast ? `$${params.length}::${cast}` : `$${params.length}`;
      });
      return `(${slots.join(',')})`;
    });
    await tx.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${tuples.join(',')} ${suffix}`, params);
  }
}
