ALTER TABLE "trending_intensity" ADD COLUMN "viewers" integer;--> statement-breakpoint
ALTER TABLE "trending_intensity" ADD COLUMN "viewer_sketch" text;