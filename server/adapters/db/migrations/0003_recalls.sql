CREATE TABLE "recall_sites" (
	"recall_id" text NOT NULL,
	"site" text NOT NULL,
	"notified_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"ack_token_id" integer,
	"ack_note" text,
	CONSTRAINT "recall_sites_recall_id_site_pk" PRIMARY KEY("recall_id","site")
);
--> statement-breakpoint
CREATE TABLE "recalls" (
	"id" text PRIMARY KEY NOT NULL,
	"gtin" text NOT NULL,
	"lots" text[],
	"serials" text[],
	"expiry_from" text,
	"expiry_to" text,
	"class" text NOT NULL,
	"reason" text NOT NULL,
	"instructions" text,
	"issuer" text,
	"issuer_role" text NOT NULL,
	"token_id" integer,
	"issued_at" timestamp with time zone NOT NULL,
	"entry_idx" bigint,
	"notice" jsonb NOT NULL,
	"status" text NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	"close_reason" text,
	"close_override" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX "recalls_gtin" ON "recalls" USING btree ("gtin");