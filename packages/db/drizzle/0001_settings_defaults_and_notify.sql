-- The defaults row ('*') used by streamers without settings of their own (DESIGN.md defaults).
INSERT INTO "streamer_settings" ("streamer_id", "interval", "threshold", "allowed_emotes")
VALUES ('*', 30, 0.3, ARRAY['😀','😡','😢','😮','❤️','👍','👎','🔥'])
ON CONFLICT ("streamer_id") DO NOTHING;
--> statement-breakpoint
-- Every change to settings, from the API or by hand, is announced to running workers.
CREATE OR REPLACE FUNCTION "notify_settings_change"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('emote_settings', COALESCE(NEW."streamer_id", OLD."streamer_id"));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER "streamer_settings_notify"
AFTER INSERT OR UPDATE OR DELETE ON "streamer_settings"
FOR EACH ROW EXECUTE FUNCTION "notify_settings_change"();
