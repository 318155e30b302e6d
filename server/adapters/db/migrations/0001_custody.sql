CREATE TABLE "alert_actions" (
	"id" serial PRIMARY KEY NOT NULL,
	"alert_id" integer NOT NULL,
	"action" text NOT NULL,
	"note" text NOT NULL,
	"actor_party" text,
	"actor_role" text,
	"token_id" integer,
	"entries" bigint[],
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"severity" text NOT NULL,
	"epc" text NOT NULL,
	"gtin" text,
	"serial" text,
	"sscc" text,
	"trigger_idx" bigint,
	"evidence" bigint[] NOT NULL,
	"sites" text[] NOT NULL,
	"detail" text NOT NULL,
	"event_time" timestamp with time zone,
	"status" text NOT NULL,
	"resolved_by" bigint[],
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "custody_events" (
	"idx" bigint PRIMARY KEY NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_date" text NOT NULL,
	"type" text NOT NULL,
	"action" text,
	"biz_step" text,
	"disposition" text,
	"party" text,
	"location" text,
	"source_party" text,
	"destination_party" text,
	"destination_location" text,
	"parent" text,
	"lot" text,
	"expiry" text,
	"corrects" bigint,
	"retracted_by" bigint
);
--> statement-breakpoint
CREATE TABLE "custody_progress" (
	"id" smallint PRIMARY KEY NOT NULL,
	"applied_through" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unit_state" (
	"epc" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"gtin" text,
	"serial" text,
	"sscc" text,
	"state" text NOT NULL,
	"commissioned_idx" bigint,
	"lot" text,
	"expiry" text,
	"owner" text,
	"custodian" text,
	"location" text,
	"custody_idx" bigint,
	"destination_party" text,
	"destination_location" text,
	"ship_idx" bigint,
	"terminal_idx" bigint,
	"container" text,
	"container_idx" bigint,
	"recalled" boolean DEFAULT false NOT NULL,
	"recall_idx" bigint,
	"quarantined" boolean DEFAULT false NOT NULL,
	"unknown_alerted" boolean DEFAULT false NOT NULL,
	"last_idx" bigint NOT NULL,
	"last_event_time" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unit_steps" (
	"epc" text NOT NULL,
	"entry_idx" bigint NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"role" text NOT NULL,
	"via" text,
	"lot" text,
	"expiry" text,
	CONSTRAINT "unit_steps_epc_entry_idx_pk" PRIMARY KEY("epc","entry_idx")
);
--> statement-breakpoint
CREATE INDEX "alert_actions_alert" ON "alert_actions" USING btree ("alert_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_key" ON "alerts" USING btree ("epc","code","trigger_idx");--> statement-breakpoint
CREATE INDEX "alerts_epc" ON "alerts" USING btree ("epc");--> statement-breakpoint
CREATE INDEX "alerts_gtin" ON "alerts" USING btree ("gtin");--> statement-breakpoint
CREATE INDEX "unit_state_container" ON "unit_state" USING btree ("container");--> statement-breakpoint
CREATE INDEX "unit_state_gtin" ON "unit_state" USING btree ("gtin");--> statement-breakpoint
CREATE INDEX "unit_steps_entry" ON "unit_steps" USING btree ("entry_idx");--> statement-breakpoint
ALTER TABLE "unit_state" SET (fillfactor = 80);
