DROP INDEX "unit_state_gtin";--> statement-breakpoint
ALTER TABLE "recall_sites" ADD COLUMN "ack_device" text;--> statement-breakpoint
CREATE INDEX "unit_state_gtin_lot" ON "unit_state" USING btree ("gtin","lot");