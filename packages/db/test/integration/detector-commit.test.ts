import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import type { Moment } from "@emote/contracts";
import { testInfraConfig } from "@emote/testkit";
import {
  commitAnalysis,
  connectDatabase,
  deleteExpiredIntensity,
  eq,
  listMomentsInLog,
  loadLastCommittedMoments,
  loadStreamerProgress,
  moments,
  streamerProgress,
  streamIntensity,
  streams,
  type IntensityBucket,
} from "../../src/index.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl);
afterAll(() => conn.close());

const surge = (id: string, streamerId: string, endedAt?: string): Moment => ({
  id,
  streamerId,
  emote: "🔥",
  timestamp: "2031-01-01T00:00:00.000Z",
  count: endedAt ? 40 : 12,
  total: endedAt ? 60 : 20,
  ratio: endedAt ? 40 / 60 : 12 / 20,
  kind: "surge",
  surge: {
    startedAt: "2031-01-01T00:00:10.000Z",
    detectedAt: "2031-01-01T00:00:12.500Z",
    ...(endedAt && { endedAt }),
    peakRate: endedAt ? 9 : 6,
    baselineRate: 0.4,
    score: 7.5,
    viewers: endedAt ? 14 : 8,
  },
});

describe("the detectors' commit in the real PostgreSQL", () => {
  it("stores a surge with its kind and fields; its end moves the row to a new position, once", async () => {
    const groupId = `it-surge-${randomUUID()}`;
    const streamerId = `s-${groupId}`;
    const at = { groupId, topic: "t", partition: 0, streamers: [] };
    const id = `${groupId}-fire`;
    const [onsetAt] = await commitAnalysis(conn.db, {
      ...at,
      nextOffset: 10n,
      moments: [surge(id, streamerId)],
    });
    const end = surge(id, streamerId, "2031-01-01T00:00:41.000Z");
    const [endAt] = await commitAnalysis(conn.db, { ...at, nextOffset: 20n, moments: [end] });
    expect(endAt).toBeGreaterThan(onsetAt ?? Infinity);
    // A retry of the end's commit (or a replay of it) keeps its position.
    expect(await commitAnalysis(conn.db, { ...at, nextOffset: 20n, moments: [end] })).toEqual([endAt]);
    // The onset's position has no row any more; the end's has the whole moment.
    const log = await listMomentsInLog(conn.db, { after: (onsetAt ?? 1) - 1, limit: 10_000 });
    expect(log.filter((m) => m.id === id)).toEqual([{ ...end, position: endAt }]);
    expect(await loadLastCommittedMoments(conn.db, groupId, "t", 0)).toEqual([{ ...end, position: endAt }]);
    const [row] = await conn.db.select().from(moments).where(eq(moments.id, id));
    expect(row?.kind).toBe("surge");
    expect(row?.decidedAt?.toISOString()).toBe("2031-01-01T00:00:12.500Z");
  });

  it("writes detector state, timeline buckets and streams with the checkpoint, with moments or without", async () => {
    const groupId = `it-timeline-${randomUUID()}`;
    const streamerId = `s-${groupId}`;
    const at = { groupId, topic: "t", partition: 0 };
    const t0 = Date.UTC(2031, 0, 2);
    const bucket = (emotes: number, offsetMs = 0): IntensityBucket => ({
      streamerId,
      bucketStartMs: t0 + offsetMs,
      streamId: `${groupId}-stream`,
      emotes,
      viewers: Math.ceil(emotes / 2),
      leading: [{ emote: "🔥", count: emotes }],
    });
    const stream = (emotes: number) => ({
      id: `${groupId}-stream`,
      streamerId,
      startedAtMs: t0,
      lastEmoteAtMs: t0 + emotes * 100,
      emotes,
    });
    const progress = (n: number) => ({
      streamerId,
      batchSeq: n,
      pendingCount: 0,
      pendingCounts: {},
      pendingTraces: {},
      detectorState: { version: 1, n },
    });
    // Without moments: the one-statement commit.
    await commitAnalysis(conn.db, {
      ...at,
      nextOffset: 5n,
      streamers: [progress(1)],
      moments: [],
      intensity: [bucket(3)],
      streams: [stream(3)],
    });
    // With moments: the transaction. The open bucket again (now 7) and the next one.
    await commitAnalysis(conn.db, {
      ...at,
      nextOffset: 9n,
      streamers: [progress(2)],
      moments: [surge(`${groupId}-m`, streamerId)],
      intensity: [bucket(7), bucket(2, 10_000)],
      streams: [stream(9)],
    });
    expect(await loadStreamerProgress(conn.db, groupId, [streamerId])).toEqual([progress(2)]);
    const buckets = await conn.db
      .select()
      .from(streamIntensity)
      .where(eq(streamIntensity.streamerId, streamerId))
      .orderBy(streamIntensity.bucketStart);
    expect(buckets.map((b) => [b.bucketStart.getTime() - t0, b.emotes, b.viewers, b.leading])).toEqual([
      [0, 7, 4, [{ emote: "🔥", count: 7 }]],
      [10_000, 2, 1, [{ emote: "🔥", count: 2 }]],
    ]);
    const [session] = await conn.db.select().from(streams).where(eq(streams.streamerId, streamerId));
    expect(session?.emotes).toBe(9);
    expect(session?.lastEmoteAt.getTime()).toBe(t0 + 900);
    // An older commit writes none of it.
    await expect(
      commitAnalysis(conn.db, { ...at, nextOffset: 7n, streamers: [], moments: [], intensity: [bucket(99)] }),
    ).rejects.toThrow(/already past/);
    const [first] = await conn.db
      .select()
      .from(streamIntensity)
      .where(eq(streamIntensity.streamerId, streamerId))
      .orderBy(streamIntensity.bucketStart);
    expect(first?.emotes).toBe(7);
  });

  it("deletes expired buckets in bounded statements", async () => {
    const streamerId = `s-expiry-${randomUUID()}`;
    const old = Date.UTC(2001, 0, 1);
    await commitAnalysis(conn.db, {
      groupId: `it-expiry-${randomUUID()}`,
      topic: "t",
      partition: 0,
      nextOffset: 1n,
      streamers: [],
      moments: [],
      intensity: [0, 1, 2].map((i) => ({
        streamerId,
        bucketStartMs: old + i * 10_000,
        streamId: "x",
        emotes: 1,
        viewers: 1,
        leading: [],
      })),
    });
    const before = new Date(old + 15_000);
    expect(await deleteExpiredIntensity(conn.db, before, 1)).toBe(1);
    expect(await deleteExpiredIntensity(conn.db, before, 10)).toBeGreaterThanOrEqual(1);
    const left = await conn.db
      .select()
      .from(streamIntensity)
      .where(eq(streamIntensity.streamerId, streamerId));
    expect(left.map((b) => b.bucketStart.getTime() - old)).toEqual([20_000]);
  });
  it("keeps the detector state as the worker wrote it (json), and takes the previous release's jsonb upsert", async () => {
    const groupId = `g-${randomUUID()}`;
    const streamerId = `st-${randomUUID()}`;
    // Full-precision floats, keys out of order, an emoji key: what the surge state holds.
    const detectorState = {
      version: 1,
      surge: { rate: 0.13021349144998767, variance: 1e-7, emotes: [["😮", { z: 1, a: [1262307847, -1] }]] },
      timeline: { bucket: null },
    };
    const progress = {
      streamerId,
      batchSeq: 1,
      pendingCount: 0,
      pendingCounts: {},
      pendingTraces: {},
      detectorState,
    };
    // Batch `batchSeq` commits the streamer with `state` (an object, or its JSON text).
    const commitState = (batchSeq: number, state: Record<string, unknown> | string) =>
      commitAnalysis(conn.db, {
        groupId,
        topic: "raw-emote-data",
        partition: 0,
        nextOffset: BigInt(batchSeq),
        streamers: [{ ...progress, batchSeq, detectorState: state }],
        moments: [],
      });
    const storedText = () =>
      conn.db.execute(
        sql`select detector_state::text as text from ${streamerProgress} where group_id = ${groupId}`,
      );

    await commitState(1, detectorState);
    expect(await loadStreamerProgress(conn.db, groupId, [streamerId])).toEqual([progress]);
    expect(await storedText()).toMatchObject([{ text: JSON.stringify(detectorState) }]);

    // Written as its JSON text (the worker's surge thread hands its state over serialised): the same row.
    await commitState(2, JSON.stringify(detectorState));
    expect(await loadStreamerProgress(conn.db, groupId, [streamerId])).toEqual([
      { ...progress, batchSeq: 2 },
    ]);
    expect(await storedText()).toMatchObject([{ text: JSON.stringify(detectorState) }]);

    // Escapes json_to_recordset will not decode into text (NUL, a lone surrogate) are stored as well.
    const escaped = { version: 1, surge: { emote: "x\u0000y\ud800z" }, timeline: { bucket: null } };
    await commitState(3, JSON.stringify(escaped));
    expect(await loadStreamerProgress(conn.db, groupId, [streamerId])).toEqual([
      { ...progress, batchSeq: 3, detectorState: escaped },
    ]);

    // A worker of the release before migration 0016, still running during a rollout, writes jsonb.
    const olderGroup = `g-${randomUUID()}`;
    await conn.db.execute(sql`
      insert into ${streamerProgress}
        (group_id, streamer_id, batch_seq, pending_count, pending_counts, pending_traces, detector_state)
      select ${olderGroup}, "streamerId", "batchSeq", "pendingCount", "pendingCounts", "pendingTraces", "detectorState"
      from jsonb_to_recordset(${JSON.stringify([progress])}::jsonb) as x(
        "streamerId" text, "batchSeq" integer, "pendingCount" integer, "pendingCounts" jsonb,
        "pendingTraces" jsonb, "detectorState" jsonb)
      on conflict (group_id, streamer_id) do update set detector_state = excluded.detector_state`);
    expect(await loadStreamerProgress(conn.db, olderGroup, [streamerId])).toEqual([progress]);
  });
});
