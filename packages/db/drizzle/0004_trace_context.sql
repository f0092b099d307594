ALTER TABLE "moments" ADD COLUMN "traceparent" text;--> statement-breakpoint
ALTER TABLE "streamer_progress" ADD COLUMN "pending_traces" jsonb DEFAULT '{}'::jsonb NOT NULL;