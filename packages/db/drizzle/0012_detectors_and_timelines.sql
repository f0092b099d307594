CREATE TABLE "stream_intensity" (
	"streamer_id" text NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"stream_id" text NOT NULL,
	"emotes" integer NOT NULL,
	"viewers" integer NOT NULL,
	"leading" jsonb NOT NULL,
	CONSTRAINT "stream_intensity_streamer_id_bucket_start_pk" PRIMARY KEY("streamer_id","bucket_start")
);
--> statement-breakpoint
CREATE TABLE "streams" (
	"id" text PRIMARY KEY NOT NULL,
	"streamer_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_emote_at" timestamp with time zone NOT NULL,
	"emotes" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "moments" ADD COLUMN "kind" text DEFAULT 'threshold' NOT NULL;--> statement-breakpoint
ALTER TABLE "moments" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "moments" ADD COLUMN "decided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "moments" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "moments" ADD COLUMN "peak_rate" double precision;--> statement-breakpoint
ALTER TABLE "moments" ADD COLUMN "baseline_rate" double precision;--> statement-breakpoint
ALTER TABLE "moments" ADD COLUMN "score" double precision;--> statement-breakpoint
ALTER TABLE "moments" ADD COLUMN "viewers" integer;--> statement-breakpoint
ALTER TABLE "streamer_progress" ADD COLUMN "detector_state" jsonb;--> statement-breakpoint
ALTER TABLE "streamer_settings" ADD COLUMN "detectors" text[] DEFAULT '{"threshold","surge"}' NOT NULL;--> statement-breakpoint
ALTER TABLE "streamer_settings" ADD COLUMN "surge" jsonb DEFAULT '{"sensitivity":0.5,"minViewers":3,"cooldownMs":20000}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "stream_intensity_stream_idx" ON "stream_intensity" USING btree ("stream_id","bucket_start");--> statement-breakpoint
CREATE UNIQUE INDEX "streams_streamer_started_idx" ON "streams" USING btree ("streamer_id","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "moments_streamer_kind_started_idx" ON "moments" USING btree ("streamer_id","kind","started_at");