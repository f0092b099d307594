-- The surge detector's state is rewritten whole by every commit and read back only by the
-- worker: kept as the text it was written (json), not parsed into jsonb, and compressed with
-- lz4 where the server was built with it (pglz otherwise, as before). See decision 010.
ALTER TABLE "streamer_progress" ALTER COLUMN "detector_state" SET DATA TYPE json;--> statement-breakpoint
DO $$
BEGIN
  ALTER TABLE "streamer_progress" ALTER COLUMN "detector_state" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available on this server: streamer_progress.detector_state keeps the default compression';
END
$$;
