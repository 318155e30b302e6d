CREATE TABLE "capture_jobs" (
	"capture_id" text PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"token_id" integer NOT NULL,
	"behaviour" text NOT NULL,
	"event_count" integer NOT NULL,
	"running" boolean DEFAULT true NOT NULL,
	"success" boolean DEFAULT true NOT NULL,
	"errors" jsonb NOT NULL,
	"outcomes" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "party_company_prefixes" (
	"party" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "party_company_prefixes_party_prefix_pk" PRIMARY KEY("party","prefix")
);
--> statement-breakpoint
CREATE TABLE "regulator_queries" (
	"id" serial PRIMARY KEY NOT NULL,
	"token_id" integer NOT NULL,
	"party" text,
	"method" text NOT NULL,
	"target" text NOT NULL,
	"status" smallint NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "entries" ADD COLUMN "party" text;--> statement-breakpoint
-- Hand-written: entries appended before this migration get the party of their device's location (fixed at enrolment).
UPDATE "entries" AS e SET "party" = l."party" FROM "devices" AS d JOIN "locations" AS l ON l."sgln" = d."location" WHERE e."device" = d."device" AND e."party" IS NULL;--> statement-breakpoint
ALTER TABLE "party_company_prefixes" ADD CONSTRAINT "party_company_prefixes_party_parties_gln_fk" FOREIGN KEY ("party") REFERENCES "public"."parties"("gln") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "party_company_prefixes_prefix" ON "party_company_prefixes" USING btree ("prefix");--> statement-breakpoint
CREATE INDEX "regulator_queries_party" ON "regulator_queries" USING btree ("party","id");--> statement-breakpoint
CREATE INDEX "entries_event" ON "entries" USING gin ("event" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "entries_event_time" ON "entries" USING btree ("event_time");--> statement-breakpoint
CREATE INDEX "entries_received_at" ON "entries" USING brin ("received_at");--> statement-breakpoint
CREATE INDEX "entries_party" ON "entries" USING btree ("party");