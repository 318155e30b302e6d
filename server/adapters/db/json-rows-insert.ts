// Batch inserts on the append path as ONE constant statement whose single parameter is the rows as JSON
// (json_to_recordset): the drivers send one value instead of thousands of parameters (PGlite's JS protocol
// writer spent a fifth of the ledger's main thread on them), PostgreSQL parses and plans the statement once per
// connection instead of once per batch, and there is no 65,535-parameter limit to split around.
import type { SqlExecutor } from './sql-client.js';

export type JsonColumnType = 'bigint' | 'int' | 'smallint' | 'boolean' | 'text' | 'bytea' | 'jsonb' | 'timestamptz';

export interface JsonColumn {
  readonly name: string;
  readonly type: JsonColumnType;
}

const statements = new Map<string, string>();

/**
 * `json_to_recordset(<param>::json) AS r("col" type, …)`: the rows of a JSON array parameter as a table, for
 * `SELECT … FROM` it. A bytea column is read as its base64 text (decode it in the select list).
 */
export function jsonRecordset(param: string, columns: readonly { readonly name: string; readonly type: string }[]): string {
  const defs = columns.map((c) => `"${c.name}" ${c.type === 'bytea' ? 'text' : c.type}`).join(', ');
  return `json_to_recordset(${param}::json) AS r(${defs})`;
}

/** The INSERT … SELECT FROM json_to_recordset($1::json) statement for these columns (built once). */
export function jsonRowsInsertSql(table: string, columns: readonly JsonColumn[], suffix = ''): string {
  const key = `${table}\u0000${columns.map((c) => `${c.name}:${c.type}`).join(',')}\u0000${suffix}`;
  let sql = statements.get(key);
  if (sql === undefined) {
    const names = columns.map((c) => c.name).join(', ');
    // bytea travels as base64 text: JSON has no bytes.
    const exprs = columns.map((c) => (c.type === 'bytea' ? `decode(r.${c.name}, 'base64')` : `r.${c.name}`)).join(', ');
    sql = `INSERT INTO ${table} (${names}) SELECT ${exprs} FROM ${jsonRecordset('$1', columns)} ${suffix}`.trim();
    statements.set(key, sql);
  }
  return sql;
}

/**
 * A value as a `json` parameter: its UTF-8 bytes, which both drivers pass through as binary (json's binary form is
 * its text). PGlite's protocol writer measures a string's UTF-8 length character by character in JavaScript: a
 * megabyte of rows cost milliseconds on the main thread; Buffer encodes natively.
 */
export function jsonParam(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** base64 of bytes for a `bytea` column of a JSON row. */
export function jsonBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Inserts `rows` (objects keyed by column name; bytea columns as `jsonBytes`, jsonb columns as values) in one
 * statement. Nothing is sent for no rows.
 */
export async function insertJsonRows(
  tx: SqlExecutor,
  table: string,
  columns: readonly JsonColumn[],
  rows: readonly Record<string, unknown>[],
  suffix = '',
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(jsonRowsInsertSql(table, columns, suffix), [jsonParam(rows)], { prepare: true });
}
