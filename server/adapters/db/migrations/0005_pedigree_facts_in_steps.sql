ALTER TABLE "unit_steps" ADD COLUMN "biz_step" text;--> statement-breakpoint
ALTER TABLE "unit_steps" ADD COLUMN "disposition" text;--> statement-breakpoint
ALTER TABLE "unit_steps" ADD COLUMN "party" text;--> statement-breakpoint
ALTER TABLE "unit_steps" ADD COLUMN "location" text;--> statement-breakpoint
ALTER TABLE "unit_steps" ADD COLUMN "destination_party" text;--> statement-breakpoint
ALTER TABLE "unit_steps" ADD COLUMN "corrects" bigint;--> statement-breakpoint
ALTER TABLE "unit_steps" ADD COLUMN "retracted_by" bigint;--> statement-breakpoint
-- Steps written before this migration take their entry's facts from custody_events.
UPDATE "unit_steps" s SET "biz_step" = e."biz_step", "disposition" = e."disposition", "party" = e."party", "location" = e."location",
  "destination_party" = e."destination_party", "corrects" = e."corrects", "retracted_by" = e."retracted_by"
  FROM "custody_events" e WHERE e."idx" = s."entry_idx";
