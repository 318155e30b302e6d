CREATE TABLE "checkpoints" (
	"size" bigint PRIMARY KEY NOT NULL,
	"root" "bytea" NOT NULL,
	"note" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "device_keys" (
	"device" text NOT NULL,
	"key_no" integer NOT NULL,
	"public_key" "bytea" NOT NULL,
	"from_seq" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "device_keys_device_key_no_pk" PRIMARY KEY("device","key_no")
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"device" text PRIMARY KEY NOT NULL,
	"location" text NOT NULL,
	"status" text NOT NULL,
	"mqtt_password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "entries" (
	"idx" bigint PRIMARY KEY NOT NULL,
	"leaf_hash" "bytea" NOT NULL,
	"bytes" "bytea" NOT NULL,
	"kind" text NOT NULL,
	"device" text,
	"seq" bigint,
	"event_id" text,
	"event_time" timestamp with time zone,
	"event" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "entry_units" (
	"epc" text NOT NULL,
	"entry_idx" bigint NOT NULL,
	"prev_idx" bigint,
	CONSTRAINT "entry_units_epc_entry_idx_pk" PRIMARY KEY("epc","entry_idx")
);
--> statement-breakpoint
CREATE TABLE "locations" (
	"sgln" text PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "parties" (
	"gln" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rejections" (
	"id" serial PRIMARY KEY NOT NULL,
	"device" text,
	"seq" bigint,
	"code" text NOT NULL,
	"detail" text,
	"topic" text NOT NULL,
	"raw" "bytea" NOT NULL,
	"raw_length" integer NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"party" text,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked" boolean DEFAULT false NOT NULL,
	CONSTRAINT "tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "tree_nodes" (
	"level" smallint NOT NULL,
	"idx" bigint NOT NULL,
	"hash" "bytea" NOT NULL,
	CONSTRAINT "tree_nodes_level_idx_pk" PRIMARY KEY("level","idx")
);
--> statement-breakpoint
CREATE TABLE "unit_heads" (
	"epc" text PRIMARY KEY NOT NULL,
	"last_idx" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "device_keys" ADD CONSTRAINT "device_keys_device_devices_device_fk" FOREIGN KEY ("device") REFERENCES "public"."devices"("device") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_location_locations_sgln_fk" FOREIGN KEY ("location") REFERENCES "public"."locations"("sgln") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "locations" ADD CONSTRAINT "locations_party_parties_gln_fk" FOREIGN KEY ("party") REFERENCES "public"."parties"("gln") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "entries_device_seq" ON "entries" USING btree ("device","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "entries_event_id" ON "entries" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "rejections_device" ON "rejections" USING btree ("device","id");