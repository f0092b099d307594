ALTER TABLE "moments" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "moments_seq_idx" ON "moments" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "moments_streamer_seq_idx" ON "moments" USING btree ("streamer_id","seq");