// A verification reads a unit's pedigree steps from unit_steps' primary key alone (migration 0007 INCLUDEs every
// column the unit view reads): no heap page a step. A column added to the view or the table without adding it to the
// key turns these scans back into heap reads, and this test fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitViewSql } from '../../../../server/adapters/db/custody-store.js';
import { testStores } from '../../../harness/databases.js';

const EPC = 'https://id.gs1.org/01/09506000134352/21/PLAN1';

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

function nodesOn(plan: PlanNode, relation: string): PlanNode[] {
  const here = plan['Relation Name'] === relation ? [plan] : [];
  return [...here, ...(plan.Plans ?? []).flatMap((p) => nodesOn(p, relation))];
}

for (const target of testStores) {
  describe(`the unit view on ${target.name}`, () => {
    let opened: Awaited<ReturnType<typeof target.open>>;
    beforeAll(async () => {
      opened = await target.open();
      const db = opened.client;
      await db.query(
        `INSERT INTO unit_state (epc, kind, gtin, serial, state, commissioned_idx, last_idx, last_event_time)
         VALUES ($1, 'unit', '09506000134352', 'PLAN1', 'active', 0, 2, '2026-01-03T00:00:00Z')`,
        [EPC],
      );
      await db.query(
        `INSERT INTO unit_steps (epc, entry_idx, event_time, role, biz_step, party)
         SELECT $1, i, '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 day', 'object', 'commissioning', '9506000000004'
         FROM generate_series(0, 2) AS i`,
        [EPC],
      );
      // Index-only scans need the visibility map, which VACUUM sets (autovacuum does on a live store).
      await db.query('VACUUM ANALYZE unit_steps');
    });
    afterAll(async () => opened?.drop());

    // 0: the ledger's node cache holds every level (the default); 8: the view reads the proof's lowest levels too.
    const params = (low: number) => (low === 0 ? [[EPC]] : [[EPC], 3]);

    it.each([0, 8])('reads the steps with index-only scans of the primary key (%i proof levels read)', async (low) => {
      const plan = await opened.client.transaction(async (tx) => {
        // Three rows: left to itself the planner reads the one heap page; the question is whether it has to.
        await tx.query('SET LOCAL enable_seqscan = off');
        await tx.query('SET LOCAL enable_bitmapscan = off');
        const rows = await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${unitViewSql(low)}`, params(low));
        const text = rows[0]!['QUERY PLAN'];
        return (typeof text === 'string' ? JSON.parse(text) : text) as { Plan: PlanNode }[];
      });
      const scans = nodesOn(plan[0]!.Plan, 'unit_steps');
      expect(scans.length).toBe(2); // the steps and the latest step
      for (const scan of scans) expect(scan['Node Type']).toBe('Index Only Scan');
    });

    it.each([0, 8])('still answers with every step in order (%i proof levels read)', async (low) => {
      const rows = await opened.client.query<{ steps: unknown }>(unitViewSql(low), params(low));
      const steps = (typeof rows[0]!.steps === 'string' ? JSON.parse(rows[0]!.steps) : rows[0]!.steps) as unknown[][];
      expect(steps.map((s) => s[1])).toEqual([0, 1, 2]);
    });
  });
}
