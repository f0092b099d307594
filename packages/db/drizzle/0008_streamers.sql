CREATE TABLE "streamers" (
	"streamer_id" text PRIMARY KEY NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Every streamer known before this migration exists: those the worker analysed, those
-- with settings of their own, and the default streamer of the original two-field messages.
INSERT INTO "streamers" ("streamer_id")
SELECT "streamer_id" FROM "streamer_progress"
UNION SELECT "streamer_id" FROM "streamer_settings" WHERE "streamer_id" <> '*'
UNION SELECT 'default'
ON CONFLICT ("streamer_id") DO NOTHING;
--> statement-breakpoint
-- The worker registers the streamers of trusted producers: the first progress row of a
-- streamer (in any consumer group) makes it exist.
CREATE OR REPLACE FUNCTION "register_streamer"() RETURNS trigger AS $$
BEGIN
  INSERT INTO "streamers" ("streamer_id") VALUES (NEW."streamer_id") ON CONFLICT ("streamer_id") DO NOTHING;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER "streamer_progress_registers_streamer"
AFTER INSERT ON "streamer_progress"
FOR EACH ROW EXECUTE FUNCTION "register_streamer"();
