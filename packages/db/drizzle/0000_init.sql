CREATE TABLE "moments" (
	"id" text PRIMARY KEY NOT NULL,
	"streamer_id" text NOT NULL,
	"emote" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"total" integer NOT NULL,
	"ratio" double precision NOT NULL,
	"detected_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "streamer_settings" (
	"streamer_id" text PRIMARY KEY NOT NULL,
	"interval" integer NOT NULL,
	"threshold" double precision NOT NULL,
	"allowed_emotes" text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "moments_streamer_window_idx" ON "moments" USING btree ("streamer_id","window_start" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "moments_window_idx" ON "moments" USING btree ("window_start" DESC NULLS LAST,"id" DESC NULLS LAST);