CREATE TABLE "consumer_checkpoints" (
	"group_id" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"next_offset" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumer_checkpoints_group_id_topic_partition_pk" PRIMARY KEY("group_id","topic","partition")
);
--> statement-breakpoint
CREATE TABLE "streamer_progress" (
	"group_id" text NOT NULL,
	"streamer_id" text NOT NULL,
	"batch_seq" integer NOT NULL,
	"pending_count" integer NOT NULL,
	"pending_counts" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "streamer_progress_group_id_streamer_id_pk" PRIMARY KEY("group_id","streamer_id")
);
