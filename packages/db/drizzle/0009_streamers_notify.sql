-- A streamer created (by the API, by a settings write or by the worker's registration) is
-- announced with its id, so gateways take its reactions without asking per emote.
CREATE OR REPLACE FUNCTION "notify_streamer_created"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('emote_streamers', NEW."streamer_id");
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER "streamers_notify_insert"
AFTER INSERT ON "streamers"
FOR EACH ROW EXECUTE FUNCTION "notify_streamer_created"();
--> statement-breakpoint
-- A removal (rare, by hand) is announced with the empty payload: followers reload every id.
CREATE OR REPLACE FUNCTION "notify_streamers_removed"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('emote_streamers', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER "streamers_notify_delete"
AFTER DELETE ON "streamers"
FOR EACH STATEMENT EXECUTE FUNCTION "notify_streamers_removed"();
--> statement-breakpoint
CREATE TRIGGER "streamers_notify_truncate"
AFTER TRUNCATE ON "streamers"
FOR EACH STATEMENT EXECUTE FUNCTION "notify_streamers_removed"();
