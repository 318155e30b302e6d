// Fills an empty store with n synthetic entries (bytes "entry {i}") and all their complete-subtree hashes, set-wise
// in SQL (RFC 6962: leaf = SHA-256(0x00 ‖ bytes), node = SHA-256(0x01 ‖ left ‖ right)): a million in seconds.
import type { SqlClient } from '../../server/adapters/db/sql-client.js';

export const syntheticEntryBytes = (i: number): Uint8Array => new TextEncoder().encode(`entry ${i}`);

export async function buildSyntheticLog(sql: SqlClient, n: number): Promise<void> {
  await sql.query(`INSERT INTO entries (idx, leaf_hash, bytes, kind, event_id)
    SELECT i, sha256('\\x00'::bytea || convert_to('entry ' || i, 'UTF8')), convert_to('entry ' || i, 'UTF8'), 'ledger', 'e' || i
    FROM generate_series(0, ${n - 1}) AS i`);
  await sql.query('INSERT INTO tree_nodes (level, idx, hash) SELECT 0, idx, leaf_hash FROM entries');
  for (let level = 1; 2 ** level <= n; level++) {
    await sql.query(
      `INSERT INTO tree_nodes (level, idx, hash)
       SELECT $1::smallint, l.idx / 2, sha256('\\x01'::bytea || l.hash || r.hash)
       FROM tree_nodes l JOIN tree_nodes r ON r.level = l.level AND r.idx = l.idx + 1
       WHERE l.level = $1::smallint - 1 AND l.idx % 2 = 0`,
      [level],
    );
  }
}
