import type { AnalysisSettings, DetectorKind, SurgeSettings } from "@emote/contracts";
import {
  bigint,
  bigserial,
  check,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

/**
 * Analysis settings per streamer. Streamers without a row of their own use the defaults:
 * DEFAULT_SETTINGS of @emote/contracts (written nowhere else), unless an operator put a row
 * whose id is DEFAULTS_ROW_ID, which then overrides them.
 */
export const streamerSettings = pgTable("streamer_settings", {
  streamerId: text().primaryKey(),
  interval: integer().notNull(),
  threshold: doublePrecision().notNull(),
  allowedEmotes: text().array().notNull(),
  /** Which detectors run (DETECTOR_KINDS); the migration gives existing rows both. */
  detectors: text().array().$type<DetectorKind[]>().notNull().default(["threshold", "surge"]),
  surge: jsonb()
    .$type<SurgeSettings>()
    .notNull()
    .default({ sensitivity: 0.5, minViewers: 3, cooldownMs: 20_000 }),
  updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/**
 * The streamers that exist: only these take reactions, have settings changed and are
 * listed. Created by an admin or a streamer's own token (streamers.create), or registered
 * when the worker first analyses one of their emotes (a trigger on streamer_progress:
 * producers on Kafka are trusted). `default` exists from the start.
 */
export const streamers = pgTable("streamers", {
  streamerId: text().primaryKey(),
  /** Who created it: a token's subject, or null when the worker registered it. */
  createdBy: text(),
  createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** Significant moments; `id` is deterministic, so writers upsert and never duplicate. */
export const moments = pgTable(
  "moments",
  {
    id: text().primaryKey(),
    streamerId: text().notNull(),
    emote: text().notNull(),
    windowStart: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    count: integer().notNull(),
    total: integer().notNull(),
    ratio: doublePrecision().notNull(),
    /** The moment's W3C trace context (see the contract), so history and live resume keep it. */
    traceparent: text(),
    detectedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /**
     * The moment's place in the moment log: 1, 2, 3, … in commit order (see `momentLog`),
     * so a row is visible only once every lower position is. What a resuming live
     * subscriber has missed is what has a higher position than its last moment.
     */
    position: bigint({ mode: "number" }).notNull(),
    /** The detector that found it: "threshold" (the seed's rule) or "surge". */
    kind: text().$type<DetectorKind>().notNull().default("threshold"),
    /** Surge moments only (null for the seed's rule): see the contract's surge fields. */
    startedAt: timestamp({ withTimezone: true, mode: "date" }),
    /** Surge moments: event time of the record that decided it (detectedAt is the write's wall clock). */
    decidedAt: timestamp({ withTimezone: true, mode: "date" }),
    endedAt: timestamp({ withTimezone: true, mode: "date" }),
    peakRate: doublePrecision(),
    baselineRate: doublePrecision(),
    score: doublePrecision(),
    viewers: integer(),
  },
  (t) => [
    index("moments_streamer_kind_started_idx").on(t.streamerId, t.kind, t.startedAt),
    uniqueIndex("moments_position_idx").on(t.position),
    index("moments_streamer_position_idx").on(t.streamerId, t.position),
    // History's keyset pagination newest first, per streamer and across streamers.
    index("moments_streamer_window_position_idx").on(t.streamerId, t.windowStart.desc(), t.position.desc()),
    index("moments_window_position_idx").on(t.windowStart.desc(), t.position.desc()),
  ],
);

/**
 * One row: the last position handed out in the moment log. A commit that stores moments
 * locks it, numbers its new moments after it and moves it on, so positions follow commit
 * order without gaps (the lock is held only from that statement to the commit).
 */
export const momentLog = pgTable(
  "moment_log",
  {
    id: smallint().primaryKey().default(1),
    lastPosition: bigint({ mode: "number" }).notNull(),
  },
  (t) => [check("moment_log_single_row", sql`${t.id} = 1`)],
);

/** Allowed and other emotes of a streamer's open batch: UTC minute (epoch ms) -> emote -> count. */
export type PendingCounts = Record<string, Record<string, number>>;
export type PendingTraces = Record<string, Record<string, string>>;

/**
 * A streamer's analysis progress per consumer group: its open (not yet analysed) batch
 * and how many batches it has analysed. Written in the same transaction as the moments
 * and the partition checkpoint, so a restarted worker resumes each streamer exactly.
 */
export const streamerProgress = pgTable(
  "streamer_progress",
  {
    groupId: text().notNull(),
    streamerId: text().notNull(),
    batchSeq: integer().notNull(),
    pendingCount: integer().notNull(),
    pendingCounts: jsonb().$type<PendingCounts>().notNull(),
    /** Per minute and emote of the open batch, the traceparent of the first emote counted. */
    pendingTraces: jsonb().$type<PendingTraces>().notNull().default({}),
    /**
     * The streaming detectors' state for this streamer (surge tracks, the open intensity
     * bucket, the current stream session), committed with the checkpoint so a replay
     * resumes them exactly. Null before the first commit that had any. `json` (the text as
     * written), not `jsonb`, and compressed with lz4 where the server has it (migration
     * 0016): only the worker reads it back, whole, and every commit rewrites it, so
     * PostgreSQL's binary form and pglz cost each commit several milliseconds for nothing.
     */
    detectorState: json().$type<Record<string, unknown>>(),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.streamerId] })],
);

/** The next raw-emote offset to apply per partition: the worker's source of truth for progress. */
export const consumerCheckpoints = pgTable(
  "consumer_checkpoints",
  {
    groupId: text().notNull(),
    topic: text().notNull(),
    partition: integer().notNull(),
    nextOffset: bigint({ mode: "bigint" }).notNull(),
    /**
     * The ids of the moments the last commit stored: they are published after it, so a
     * worker that died in between may not have; whoever loads the checkpoint next
     * publishes them again (consumers drop repeats).
     */
    lastMomentIds: jsonb().$type<string[]>().notNull().default([]),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.topic, t.partition] })],
);

/**
 * Who changed which streamer's settings, from what to what, and when: one row per change,
 * written in the transaction of the change. `id` orders the rows (keyset pagination).
 */
export const settingsAudit = pgTable(
  "settings_audit",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    streamerId: text().notNull(),
    /** The token's `sub` (its role when the token names none). */
    actorSub: text().notNull(),
    actorRole: text().notNull(),
    requestId: text().notNull(),
    /** The settings that applied before (the defaults when the streamer had none of its own). */
    before: jsonb().$type<AnalysisSettings>().notNull(),
    after: jsonb().$type<AnalysisSettings>().notNull(),
    changedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("settings_audit_streamer_id_idx").on(t.streamerId, t.id.desc())],
);

/**
 * A streamer's broadcasts as sessions: a new stream starts with the first emote after a
 * silence of STREAM_GAP_MS (default 10 min). `id` is deterministic (streamer and start),
 * so a replayed commit upserts. Written in the worker's commit.
 */
export const streams = pgTable(
  "streams",
  {
    id: text().primaryKey(),
    streamerId: text().notNull(),
    startedAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    /** Event time of the last emote seen so far; the stream is over after STREAM_GAP_MS of silence. */
    lastEmoteAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    emotes: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [uniqueIndex("streams_streamer_started_idx").on(t.streamerId, t.startedAt.desc())],
);

/** The leading emotes of an intensity bucket, most used first. */
export type LeadingEmotes = { emote: string; count: number }[];

/**
 * Per streamer and 10 s of event time: how intense the chat was (a stream's timeline and
 * heatmap). Written in the worker's commit, upserted (a bucket split across batches adds
 * up: the worker keeps the open bucket's viewers in its detector state). Rows older than
 * the retention setting are deleted.
 */
export const streamIntensity = pgTable(
  "stream_intensity",
  {
    streamerId: text().notNull(),
    bucketStart: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    streamId: text().notNull(),
    emotes: integer().notNull(),
    viewers: integer().notNull(),
    leading: jsonb().$type<LeadingEmotes>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.streamerId, t.bucketStart] }),
    index("stream_intensity_stream_idx").on(t.streamId, t.bucketStart),
    // Retention deletes the oldest buckets of every streamer (deleteExpiredIntensity).
    index("stream_intensity_bucket_start_idx").on(t.bucketStart),
  ],
);

export type StreamRow = typeof streams.$inferSelect;
export type StreamIntensityRow = typeof streamIntensity.$inferSelect;
export type StreamerProgressRow = typeof streamerProgress.$inferSelect;
export type StreamerSettingsRow = typeof streamerSettings.$inferSelect;
export type MomentRow = typeof moments.$inferSelect;
export type SettingsAuditRow = typeof settingsAudit.$inferSelect;

export const DEFAULTS_ROW_ID = "*";
/**
 * NOTIFY channel on which every settings change is announced. Payload: the streamer id of
 * the row changed (DEFAULTS_ROW_ID for the defaults), or FULL_RELOAD_PAYLOAD when the table
 * was truncated and every streamer may have changed.
 */
export const SETTINGS_CHANNEL = "emote_settings";
export const FULL_RELOAD_PAYLOAD = "";
/**
 * NOTIFY channel on which streamers are announced. Payload: the id of a streamer just
 * created, or FULL_RELOAD_PAYLOAD when streamers were removed (deleted, truncated).
 */
export const STREAMERS_CHANNEL = "emote_streamers";

/**
 * The trending stage's partial step: per input partition (window stats or moments) the
 * next offset to apply and the partials its last commit made (`pending`), published after
 * the commit; whoever loads the row next publishes them again (the merge drops repeats by
 * `seq`). Written in one transaction with the snapshots below.
 */
export const trendingCheckpoints = pgTable(
  "trending_checkpoints",
  {
    groupId: text().notNull(),
    topic: text().notNull(),
    partition: integer().notNull(),
    nextOffset: bigint({ mode: "number" }).notNull(),
    /** The last partial's seq for this source (0: none yet). */
    seq: bigint({ mode: "number" }).notNull(),
    pending: jsonb().$type<unknown[]>().notNull().default([]),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.topic, t.partition] })],
);

/**
 * The partial step's memory: per streamer and UTC minute the last window-stats counts it
 * applied, so a newer snapshot becomes a signed delta (a replayed one changes nothing).
 * Rows older than the merge's horizon are deleted in the same commits.
 */
export const trendingStreamerMinutes = pgTable(
  "trending_streamer_minutes",
  {
    groupId: text().notNull(),
    streamerId: text().notNull(),
    minute: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    topic: text().notNull(),
    partition: integer().notNull(),
    counts: jsonb().$type<Record<string, number>>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.streamerId, t.minute] }),
    index("trending_streamer_minutes_partition_idx").on(t.groupId, t.topic, t.partition, t.minute),
  ],
);

/**
 * The trending merge's whole state (bounded: top-K summaries, capped surges), the
 * partials it applied (source → seq) and its last board, committed in one transaction
 * per merged batch: a restarted merge resumes exactly.
 */
export const trendingMergeState = pgTable("trending_merge_state", {
  groupId: text().primaryKey(),
  applied: jsonb().$type<Record<string, number>>().notNull(),
  state: jsonb().$type<Record<string, unknown>>().notNull(),
  /** The board last published (republished by the next owner: gateways drop repeats by seq). */
  lastBoard: jsonb().$type<Record<string, unknown>>(),
  updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** Every board the merge published: trending.history. Deleted after the retention. */
export const trendingBoards = pgTable(
  "trending_boards",
  {
    groupId: text().notNull(),
    seq: bigint({ mode: "number" }).notNull(),
    at: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    board: jsonb().$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.seq] }), index("trending_boards_at_idx").on(t.groupId, t.at)],
);

/**
 * Platform intensity per 10 s: emotes, added up by the merge's commits exactly once, and
 * distinct viewers, the merge's latest estimate (null: none counted, as before viewers were),
 * with the sketch it comes from (the merge reloads the recent ones when it takes over).
 */
export const trendingIntensity = pgTable(
  "trending_intensity",
  {
    groupId: text().notNull(),
    bucketStart: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    emotes: integer().notNull(),
    viewers: integer(),
    viewerSketch: text(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.bucketStart] })],
);
