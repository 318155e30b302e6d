-- A verification reads a unit's pedigree steps (custody-store.ts unitViewSql) by epc: with the step's columns in the
-- primary key's leaf tuples that is an index-only scan of one or two index pages instead of one heap page a step
-- (a unit's steps are appended at different times, so each lies on its own page). drizzle-kit cannot say INCLUDE,
-- hence by hand (schema.ts unitSteps); the loaders that drop and recreate constraints copy it with pg_get_constraintdef.
-- Rebuilding the key holds unit_steps' lock for the build: ≈ 13 s for 5,000,000 steps (bench/RESULTS.md, session 11).
ALTER TABLE "unit_steps" DROP CONSTRAINT "unit_steps_epc_entry_idx_pk";--> statement-breakpoint
ALTER TABLE "unit_steps" ADD CONSTRAINT "unit_steps_epc_entry_idx_pk" PRIMARY KEY ("epc", "entry_idx")
  INCLUDE ("event_time", "role", "via", "lot", "expiry", "biz_step", "disposition", "party", "location", "destination_party", "corrects", "retracted_by");
