CREATE TABLE "trending_boards" (
	"group_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"board" jsonb NOT NULL,
	CONSTRAINT "trending_boards_group_id_seq_pk" PRIMARY KEY("group_id","seq")
);
--> statement-breakpoint
CREATE TABLE "trending_checkpoints" (
	"group_id" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"next_offset" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"pending" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trending_checkpoints_group_id_topic_partition_pk" PRIMARY KEY("group_id","topic","partition")
);
--> statement-breakpoint
CREATE TABLE "trending_intensity" (
	"group_id" text NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"emotes" integer NOT NULL,
	CONSTRAINT "trending_intensity_group_id_bucket_start_pk" PRIMARY KEY("group_id","bucket_start")
);
--> statement-breakpoint
CREATE TABLE "trending_merge_state" (
	"group_id" text PRIMARY KEY NOT NULL,
	"applied" jsonb NOT NULL,
	"state" jsonb NOT NULL,
	"last_board" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trending_streamer_minutes" (
	"group_id" text NOT NULL,
	"streamer_id" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"counts" jsonb NOT NULL,
	CONSTRAINT "trending_streamer_minutes_group_id_streamer_id_minute_pk" PRIMARY KEY("group_id","streamer_id","minute")
);
--> statement-breakpoint
CREATE INDEX "trending_boards_at_idx" ON "trending_boards" USING btree ("group_id","at");--> statement-breakpoint
CREATE INDEX "trending_streamer_minutes_partition_idx" ON "trending_streamer_minutes" USING btree ("group_id","topic","partition","minute");