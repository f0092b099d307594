CREATE TABLE "settings_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"streamer_id" text NOT NULL,
	"actor_sub" text NOT NULL,
	"actor_role" text NOT NULL,
	"request_id" text NOT NULL,
	"before" jsonb NOT NULL,
	"after" jsonb NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "settings_audit_streamer_id_idx" ON "settings_audit" USING btree ("streamer_id","id" DESC NULLS LAST);--> statement-breakpoint
-- A TRUNCATE fires no row trigger: announce it with the empty payload, which tells
-- workers to reload every streamer (the payload of a row change is its streamer id).
CREATE OR REPLACE FUNCTION "notify_settings_truncate"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('emote_settings', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER "streamer_settings_notify_truncate"
AFTER TRUNCATE ON "streamer_settings"
FOR EACH STATEMENT EXECUTE FUNCTION "notify_settings_truncate"();
