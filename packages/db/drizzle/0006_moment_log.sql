CREATE TABLE "moment_log" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"last_position" bigint NOT NULL,
	CONSTRAINT "moment_log_single_row" CHECK ("moment_log"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "moments" ADD COLUMN "position" bigint;--> statement-breakpoint
-- Moments stored before the moment log keep their insertion order as their positions.
UPDATE "moments" SET "position" = x.n
FROM (SELECT "id", row_number() OVER (ORDER BY "seq") AS n FROM "moments") AS x
WHERE "moments"."id" = x."id";--> statement-breakpoint
ALTER TABLE "moments" ALTER COLUMN "position" SET NOT NULL;--> statement-breakpoint
INSERT INTO "moment_log" ("id", "last_position") SELECT 1, coalesce(max("position"), 0) FROM "moments";--> statement-breakpoint
CREATE UNIQUE INDEX "moments_position_idx" ON "moments" USING btree ("position");--> statement-breakpoint
CREATE INDEX "moments_streamer_position_idx" ON "moments" USING btree ("streamer_id","position");--> statement-breakpoint
DROP INDEX "moments_seq_idx";--> statement-breakpoint
DROP INDEX "moments_streamer_seq_idx";--> statement-breakpoint
ALTER TABLE "moments" DROP COLUMN "seq";
