// Migration 0005 on a store written before it: steps recorded without their entry's pedigree facts get them from
// custody_events, so a verification of an old unit shows its full pedigree after an upgrade.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../../../server/adapters/db/sql-client.js';

const dir = mkdtempSync(join(tmpdir(), 'pedigree-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('copies each step its entry facts when it upgrades a store from before 0005', async () => {
  // The migrations as they stood before 0005.
  const before = join(dir, 'before');
  cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
  const journalFile = join(before, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.startsWith('0005_'));
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalFile, JSON.stringify(journal));

  const db = await PGlite.create();
  try {
    await migrate(drizzle(db), { migrationsFolder: before });
    await db.exec(`
      INSERT INTO custody_events (idx, event_time, event_date, type, action, biz_step, disposition, party, location, destination_party, corrects, retracted_by)
        VALUES (0, '2026-01-01T00:00:00Z', '2026-01-01', 'ObjectEvent', 'OBSERVE', 'shipping', 'in_transit', '9506000000004', 'urn:epc:id:sgln:9506000.00000.0', '9506000000011', NULL, 7),
               (7, '2026-01-02T00:00:00Z', '2026-01-02', 'ObjectEvent', 'OBSERVE', 'receiving', 'in_progress', '9506000000011', 'urn:epc:id:sgln:9506000.00001.0', NULL, 0, NULL);
      INSERT INTO unit_steps (epc, entry_idx, event_time, role, via) VALUES
        ('https://id.gs1.org/01/09506000134352/21/A', 0, '2026-01-01T00:00:00Z', 'object', NULL),
        ('https://id.gs1.org/01/09506000134352/21/A', 7, '2026-01-02T00:00:00Z', 'via', 'urn:epc:id:sscc:9506000.0000000001');`);
    await migrate(drizzle(db), { migrationsFolder: MIGRATIONS_FOLDER });
    const rows = await db.query('SELECT entry_idx, biz_step, disposition, party, location, destination_party, corrects, retracted_by FROM unit_steps ORDER BY entry_idx');
    expect(rows.rows).toEqual([
      { entry_idx: 0, biz_step: 'shipping', disposition: 'in_transit', party: '9506000000004', location: 'urn:epc:id:sgln:9506000.00000.0', destination_party: '9506000000011', corrects: null, retracted_by: 7 },
      { entry_idx: 7, biz_step: 'receiving', disposition: 'in_progress', party: '9506000000011', location: 'urn:epc:id:sgln:9506000.00001.0', destination_party: null, corrects: 0, retracted_by: null },
    ]);
  } finally {
    await db.close();
  }
});
