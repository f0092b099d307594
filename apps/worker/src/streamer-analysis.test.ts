import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, momentSchema, type AnalysisSettings, type Moment } from "@emote/contracts";
import type { IntensityBucket, StreamerProgress, StreamSession } from "@emote/db";
import { audience, during, POPULAR_MIX, syntheticChat } from "../test/synthetic-chat.ts";
import { StreamerBatch } from "./analysis/index.ts";
import type { Analysis } from "./committed-publishing.ts";
import type { DetectorRecord } from "./detectors/detector-types.ts";
import { SurgeStreamerDetector } from "./detectors/surge-streamer.ts";
import { asStored } from "../test/stored-progress.ts";
import { committedSurgeState, StreamerAnalysis } from "./streamer-analysis.ts";
import type { BatchAnalysed } from "./streamer-runs.ts";
import { analyseRecords } from "../test/staged-batch.ts";
import { inlineSurgeStage, type SurgeStage } from "./surge-stage.ts";
import { DEFAULT_STREAM_GAP_MS } from "./timeline/stream-timeline.ts";

const settings: AnalysisSettings = { ...DEFAULT_SETTINGS, interval: 50, threshold: 0.3 };

/** One streamer's chat with a surge of 🔥 from a dozen fans, a single-viewer spam and a quiet gap. */
function chat(): DetectorRecord[] {
  return syntheticChat(
    420,
    [
      { rate: () => 2, emote: POPULAR_MIX, viewer: audience(80) },
      { rate: during(120, 150, 6), emote: () => "🔥", viewer: audience(12, "fan") },
      { rate: during(200, 230, 8), emote: () => "😢", viewer: () => "spammer" },
      { rate: during(300, 320, 5), emote: () => "😮", viewer: () => undefined },
    ],
    7,
  );
}
const RECORDS = chat();

/** What a sequence of commits left in the store: the last version of each moment and row. */
interface Stored {
  moments: Map<string, Moment>;
  buckets: Map<number, IntensityBucket>;
  streams: Map<string, StreamSession>;
}

/** Records through a streamer as the partition processor feeds a batch (its surge detector in `stage`). */
async function analyse(
  streamer: StreamerAnalysis,
  records: readonly DetectorRecord[],
  s: AnalysisSettings,
  stage: SurgeStage,
): Promise<{ analyses: Analysis[]; commit: BatchAnalysed["streamers"][number] | undefined }> {
  const out = await analyseRecords(records, () => streamer, s, stage);
  return { analyses: out.analyses, commit: out.streamers[0] };
}

/** A streamer put in memory from its committed progress (as JSON, as PostgreSQL returns it), or new. */
function loaded(progress: string | undefined, stage: SurgeStage): StreamerAnalysis {
  stage.clear();
  if (progress === undefined) return StreamerAnalysis.create("s1", DEFAULT_STREAM_GAP_MS);
  const p = JSON.parse(progress) as StreamerProgress;
  stage.load([{ streamerId: p.streamerId, state: committedSurgeState(p) }]);
  return StreamerAnalysis.fromProgress(p, DEFAULT_STREAM_GAP_MS);
}

/**
 * As the partition processor does per batch: the streamer from its committed progress, the
 * batch's records, then the commit's moments and rows. `crashAfter`: that batch is
 * processed and lost (a SIGKILL before its commit), then replayed.
 */
async function run(
  cuts: readonly number[],
  crashAfter?: number,
  s: AnalysisSettings = settings,
): Promise<Stored> {
  const bounds = [0, ...cuts, RECORDS.length];
  const stored: Stored = { moments: new Map(), buckets: new Map(), streams: new Map() };
  const stage = inlineSurgeStage();
  let progress: string | undefined;
  for (let b = 0; b + 1 < bounds.length; b++) {
    const attempts = b === crashAfter ? 2 : 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const streamer = loaded(progress, stage);
      const { analyses, commit } = await analyse(streamer, RECORDS.slice(bounds[b], bounds[b + 1]), s, stage);
      if (attempt < attempts || !commit) continue;
      for (const a of analyses) {
        for (const m of a.moments) stored.moments.set(m.id, m);
      }
      for (const row of commit.buckets) stored.buckets.set(row.bucketStartMs, row);
      for (const row of commit.streams) stored.streams.set(row.id, row);
      progress = JSON.stringify(asStored(commit.progress));
    }
  }
  return stored;
}

const whole = await run([]);

/** Every moment as the detectors decide it, record by record (no batch collapses an onset into its end). */
function decided(): Moment[] {
  const streamer = StreamerAnalysis.create("s1", DEFAULT_STREAM_GAP_MS);
  const surge = new SurgeStreamerDetector();
  const detectors = streamer.detectors(settings);
  const analyses: Analysis[] = [];
  for (const r of RECORDS) {
    streamer.push(r, detectors, settings, analyses);
    const moments = surge.push(r, settings);
    if (moments) analyses.push({ streamerId: "s1", moments });
  }
  return analyses.flatMap((a) => a.moments);
}

describe("StreamerAnalysis: the detectors behind the seam", () => {
  it("gives the seed's rule's moments exactly as StreamerBatch does, without a kind", () => {
    const reference = new StreamerBatch("s1");
    const expected = RECORDS.flatMap((r) => reference.add(r.emote, r.timestampMs, settings, undefined) ?? []);
    const threshold = [...whole.moments.values()].filter((m) => m.kind === undefined);
    expect(threshold).toEqual(expected);
    expect(threshold.length).toBeGreaterThan(0);
    expect(threshold.every((m) => !("kind" in m))).toBe(true);
  });

  it("finds the fans' surge of 🔥 once, as an onset and then its end under the same id, and not the spam", () => {
    const surges = decided().filter((m) => m.kind === "surge");
    for (const m of surges) expect(momentSchema.safeParse(m).success).toBe(true);
    const fire = surges.filter((m) => m.emote === "🔥");
    expect(fire.map((m) => m.surge?.endedAt === undefined)).toEqual([true, false]);
    const [onset, end] = fire as [Moment, Moment];
    expect(end.id).toBe(onset.id);
    const startedAt = Date.parse(onset.surge?.startedAt ?? "");
    expect(startedAt).toBeGreaterThanOrEqual(RECORDS[0]!.timestampMs + 115_000);
    expect(startedAt).toBeLessThanOrEqual(RECORDS[0]!.timestampMs + 130_000);
    expect(Date.parse(end.surge?.endedAt ?? "")).toBeGreaterThan(startedAt + 20_000);
    // The original fields: the emote's records since the onset against all the streamer's.
    expect(end.count).toBeGreaterThan(onset.count);
    expect(end.count).toBeLessThanOrEqual(end.total);
    expect(end.ratio).toBeCloseTo(end.count / end.total, 10);
    expect(end.timestamp).toBe(new Date(Math.floor(startedAt / 60_000) * 60_000).toISOString());
    expect(end.surge?.viewers).toBeGreaterThanOrEqual(6);
    expect(surges.some((m) => m.emote === "😢")).toBe(false);
  });

  it("runs only the detectors the settings name", async () => {
    const surgeOnly = await run([], undefined, { ...settings, detectors: ["surge"] });
    expect([...surgeOnly.moments.values()].every((m) => m.kind === "surge")).toBe(true);
    expect(surgeOnly.moments.size).toBeGreaterThan(0);
    const thresholdOnly = await run([], undefined, { ...settings, detectors: ["threshold"] });
    expect([...thresholdOnly.moments.values()].every((m) => m.kind === undefined)).toBe(true);
    // The timeline is written whatever runs.
    expect(thresholdOnly.buckets).toEqual(whole.buckets);
  });

  it("writes 10 s buckets with emotes, distinct viewers and leading emotes, in one stream", () => {
    expect(whole.streams.size).toBe(1);
    const [stream] = [...whole.streams.values()];
    expect(stream?.emotes).toBe(RECORDS.length);
    const buckets = [...whole.buckets.values()];
    expect(buckets.reduce((n, b) => n + b.emotes, 0)).toBe(RECORDS.length);
    const start = Math.floor(RECORDS[0]!.timestampMs / 10_000) * 10_000;
    const inBucket = RECORDS.filter(
      (r) => r.timestampMs >= start + 130_000 && r.timestampMs < start + 140_000,
    );
    const bucket = whole.buckets.get(start + 130_000);
    expect(bucket?.emotes).toBe(inBucket.length);
    expect(bucket?.viewers).toBe(new Set(inBucket.map((r) => r.viewer)).size);
    expect(bucket?.leading[0]?.emote).toBe("🔥");
    expect(bucket?.streamId).toBe(stream?.id);
  });
});

describe("batch splits and kill-and-replay", () => {
  it("give the same moments (both detectors) and the same timeline as one uninterrupted run", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: RECORDS.length - 1 }), { maxLength: 12 }),
        fc.option(fc.nat({ max: 12 }), { nil: undefined }),
        async (cuts, crash) => {
          const sorted = [...cuts].sort((a, b) => a - b);
          const split = await run(sorted, crash);
          expect(split.moments).toEqual(whole.moments);
          expect(split.buckets).toEqual(whole.buckets);
          expect(split.streams).toEqual(whole.streams);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("a checkpoint of an older surge state version", () => {
  it("starts the surge detector afresh from the next record, and the seed's rule goes on with its batch", async () => {
    const cut = RECORDS.findIndex((r) => r.timestampMs >= RECORDS[0]!.timestampMs + 60_000);
    const stage = inlineSurgeStage();
    const before = loaded(undefined, stage);
    const first = await analyse(before, RECORDS.slice(0, cut), settings, stage);
    const progress = asStored(first.commit!.progress);
    // A version no worker reads any more (3: before the repeat counts).
    const surge = (progress.detectorState as Record<string, unknown>).surge as {
      detector: { version: number };
    };
    surge.detector.version = 3;

    const after = loaded(JSON.stringify(progress), stage);
    const second = await analyse(after, RECORDS.slice(cut), settings, stage);

    const state = (asStored(second.commit!.progress).detectorState as Record<string, unknown>).surge as {
      detector: { version: number; streamers: [string, { firstSec: number }][] };
    };
    expect(state.detector.version).toBe(5);
    expect(state.detector.streamers[0]?.[1].firstSec).toBe(Math.floor(RECORDS[cut]!.timestampMs / 1000));
    const rule = (moments: Iterable<Moment>): Moment[] => [...moments].filter((m) => m.kind === undefined);
    const analyses = [...first.analyses, ...second.analyses];
    expect(rule(analyses.flatMap((a) => a.moments))).toEqual(rule(whole.moments.values()));
  });
});
