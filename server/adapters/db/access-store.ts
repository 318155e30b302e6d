// AccessStore on SQL: company prefixes, what a party has held (from the log and the custody projection), tokens,
// and the regulator query record.
import type { AccessStore, PartyRole, RegulatorQueryRecord, TokenListing, TokenRecord } from '../../domain/ports.js';
import type { SqlClient } from './sql-client.js';

function iso(v: string | Date): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

interface TokenRow {
  id: number;
  party: string | null;
  role: PartyRole;
  revoked: boolean;
  created_at: string | Date;
}

const token = (r: TokenRow): TokenRecord => ({ id: Number(r.id), party: r.party, role: r.role, revoked: r.revoked });

export function createSqlAccessStore(db: SqlClient): AccessStore {
  return {
    async companyPrefixes(party) {
      const rows = await db.query<{ prefix: string }>('SELECT prefix FROM party_company_prefixes WHERE party = $1 ORDER BY prefix', [party]);
      return rows.map((r) => r.prefix);
    },
    async addCompanyPrefix(party, prefix) {
      const rows = await db.query(
        'INSERT INTO party_company_prefixes (party, prefix) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS inserted',
        [party, prefix],
      );
      return rows.length === 1;
    },
    async overlappingPrefix(prefix) {
      const rows = await db.query<{ party: string; prefix: string }>(
        'SELECT party, prefix FROM party_company_prefixes WHERE starts_with($1, prefix) OR starts_with(prefix, $1) ORDER BY party, prefix LIMIT 1',
        [prefix],
      );
      return rows[0];
    },
    async locationsOf(party) {
      const rows = await db.query<{ sgln: string }>('SELECT sgln FROM locations WHERE party = $1 ORDER BY sgln', [party]);
      return rows.map((r) => r.sgln);
    },
    async hasHeld(party, epc) {
      // unit_steps (custody projection) reaches units through their containers; entry_units covers what the
      // projection has not applied yet. Both are indexed by epc first.
      const rows = await db.query<{ held: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM unit_steps s JOIN entries e ON e.idx = s.entry_idx WHERE s.epc = $2 AND e.party = $1)
             OR EXISTS (SELECT 1 FROM entry_units u JOIN entries e ON e.idx = u.entry_idx WHERE u.epc = $2 AND e.party = $1) AS held`,
        [party, epc],
      );
      return rows[0]?.held === true;
    },
    async listTokens() {
      const rows = await db.query<TokenRow>('SELECT id, party, role, revoked, created_at FROM tokens ORDER BY id');
      return rows.map((r): TokenListing => ({ ...token(r), createdAt: iso(r.created_at) }));
    },
    async findTokenById(id) {
      const rows = await db.query<TokenRow>('SELECT id, party, role, revoked, created_at FROM tokens WHERE id = $1', [id]);
      return rows[0] ? token(rows[0]) : undefined;
    },
    async recordRegulatorQuery(q) {
      await db.query('INSERT INTO regulator_queries (token_id, party, method, target, status) VALUES ($1, $2, $3, $4, $5)', [
        q.tokenId,
        q.party,
        q.method,
        q.target,
        q.status,
      ]);
    },
    async listRegulatorQueries(filter) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.party !== undefined) where.push(`party = $${params.push(filter.party)}`);
      if (filter.since !== undefined) where.push(`at >= $${params.push(filter.since)}::timestamptz`);
      if (filter.beforeId !== undefined) where.push(`id < $${params.push(filter.beforeId)}`);
      params.push(filter.limit);
      const rows = await db.query<{
        id: number;
        token_id: number;
        party: string | null;
        method: string;
        target: string;
        status: number;
        at: string | Date;
      }>(
        `SELECT id, token_id, party, method, target, status, at FROM regulator_queries ${
          where.length ? `WHERE ${where.join(' AND ')}` : ''
        } ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(
        (r): RegulatorQueryRecord => ({
          id: Number(r.id),
          tokenId: Number(r.token_id),
          party: r.party,
          method: r.method,
          target: r.target,
          status: Number(r.status),
          at: iso(r.at),
        }),
      );
    },
  };
}
