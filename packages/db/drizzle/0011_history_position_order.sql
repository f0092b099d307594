DROP INDEX "moments_streamer_window_idx";--> statement-breakpoint
DROP INDEX "moments_window_idx";--> statement-breakpoint
CREATE INDEX "moments_streamer_window_position_idx" ON "moments" USING btree ("streamer_id","window_start" DESC NULLS LAST,"position" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "moments_window_position_idx" ON "moments" USING btree ("window_start" DESC NULLS LAST,"position" DESC NULLS LAST);