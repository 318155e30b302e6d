-- The pending list of the entries' GIN index is merged by the ledger's sweeper (gin-pending-sweeper.ts), not inside the
-- log's append transactions; a storage parameter only, so no rebuild of the index (drizzle-kit generated a DROP and CREATE).
ALTER INDEX "entries_event" SET (gin_pending_list_limit = 32768);
