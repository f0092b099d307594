import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, momentKind, NOT_AN_EMOTE_MESSAGE, type Moment } from "@emote/contracts";
import { and, getEffectiveSettings, gte, inArray, lt, moments, rowToMoment, saveSettings } from "@emote/db";
import { generateEmotes } from "@emote/generator/stream";
import { DLQ_HEADERS } from "../../src/dead-letter.ts";
import { DEFAULT_RELOAD_OPTIONS } from "@emote/settings";
import { startWorker, type RunningWorker } from "../../src/worker.ts";
import {
  busFor,
  byId,
  collect,
  expectedMoments,
  isolatedEnv,
  privateStart,
  produceRaw,
  testObservability,
  waitFor,
  type RawMessage,
  workerTestState,
} from "../harness.ts";

const { conn, running } = workerTestState();

async function storedMoments(streamerIds: string[], fromMs: number, toMs: number): Promise<Moment[]> {
  const rows = await conn.db
    .select()
    .from(moments)
    .where(
      and(
        inArray(moments.streamerId, streamerIds),
        gte(moments.windowStart, new Date(fromMs)),
        lt(moments.windowStart, new Date(toMs)),
      ),
    );
  return byId(rows.map(rowToMoment));
}

describe("worker on the real Kafka and PostgreSQL", () => {
  it("turns a seeded stream into exactly the moments of the original rule, on Kafka and in Postgres", async () => {
    const env = isolatedEnv();
    const bus = busFor(env);
    await bus.ensureTopics();
    const start = privateStart(2001);
    const sent: RawMessage[] = [...generateEmotes({ seed: 7, streamers: 4, start, count: 2_000 })];
    await produceRaw(bus, sent);

    const worker = await startWorker(env, testObservability());
    running.push(worker);
    await waitFor(
      "all emotes consumed",
      async () => (await worker.metrics.totals()).consumed === sent.length,
    );

    const expected = byId(expectedMoments(sent, () => DEFAULT_SETTINGS));
    expect(expected.length).toBeGreaterThan(20);
    const out = await collect(bus, bus.topics.aggregated);
    const published = () =>
      out.records
        .flatMap((r) => JSON.parse(String(r.value)) as Moment[])
        .filter((m) => momentKind(m) === "threshold");
    await waitFor("moments on aggregated-emote-data", () => published().length >= expected.length);
    await out.stop();
    expect(byId(published())).toEqual(expected);
    for (const r of out.records)
      expect(String(r.key)).toBe((JSON.parse(String(r.value)) as Moment[])[0]?.streamerId);

    const end = Math.max(...sent.map((m) => Date.parse(m.timestamp))) + 60_000;
    expect(await storedMoments(["s1", "s2", "s3", "s4"], start, end)).toEqual(expected);
    // Each published with the position it was stored under: a moment of the log, once.
    const rows = await conn.db
      .select({ id: moments.id, position: moments.position })
      .from(moments)
      .where(
        inArray(
          moments.id,
          expected.map((m) => m.id),
        ),
      );
    const stored = new Map(rows.map((r) => [r.id, r.position]));
    const positions = published().map((m) => m.position);
    expect(positions).toEqual(published().map((m) => stored.get(m.id)));
    expect(new Set(positions).size).toBe(expected.length);
  });

  it("applies a settings change made in the database from the next batch on, without a restart", async () => {
    const env = isolatedEnv();
    const bus = busFor(env);
    await bus.ensureTopics();
    const streamerId = `it-settings-${env.WORKER_GROUP_ID.slice(-8)}`;
    await saveSettings(conn.db, streamerId, { interval: 10, threshold: 0.3 });
    const worker = await startWorker(env, testObservability());
    running.push(worker);

    const minute = privateStart(2001);
    const ts = new Date(minute).toISOString();
    // 4 🔥 + 6 😀 per batch: 0.4 and 0.6.
    const batch = [...Array(4).fill("🔥"), ...Array(6).fill("😀")].map((emote) => ({
      emote,
      timestamp: ts,
      streamerId,
    }));
    await produceRaw(bus, batch);
    await waitFor("first batch", async () => (await worker.metrics.totals()).analyses === 1);

    // The reload every (re)connection of the LISTEN session makes must not pass for ours.
    await waitFor(
      "the initial settings load",
      async () => (await worker.metrics.totals()).settingsReloads >= 1,
    );
    const { settingsReloads: reloads } = await worker.metrics.totals();
    await saveSettings(conn.db, streamerId, { threshold: 0.5 });
    await waitFor(
      "the change to reach the worker",
      async () => (await worker.metrics.totals()).settingsReloads > reloads,
      1_000,
    );
    await produceRaw(bus, batch);
    await waitFor("second batch", async () => (await worker.metrics.totals()).analyses === 2);

    const stored = await storedMoments([streamerId], minute, minute + 60_000);
    expect(stored.map((m) => [m.emote, m.ratio]).sort()).toEqual(
      [
        ["🔥", 0.4],
        ["😀", 0.6],
        ["😀", 0.6],
      ].sort(),
    );
  });

  it("reloads only the streamers a burst of changes names, in a few queries and without a full reload, in every worker within a second", async () => {
    const env = isolatedEnv();
    const bus = busFor(env);
    await bus.ensureTopics();
    const workers = [
      await startWorker(env, testObservability()),
      await startWorker(env, testObservability()),
    ];
    running.push(...workers);
    const reloads = async (worker: RunningWorker, scope: "full" | "streamers") =>
      (await worker.metrics.settingsReloads.get()).values.find((v) => v.labels.scope === scope)?.value ?? 0;
    const counts = () =>
      Promise.all(
        workers.map(async (w) => ({
          full: await reloads(w, "full"),
          streamers: await reloads(w, "streamers"),
        })),
      );
    // A worker's LISTEN session is up once its (re)connection reload has happened.
    await waitFor("the initial settings loads", async () => (await counts()).every((c) => c.full >= 1));
    const before = await counts();

    const tag = env.WORKER_GROUP_ID.slice(-8);
    const streamers = Array.from({ length: 5 }, (_, i) => `it-burst-${tag}-${i}`);
    const changes = 100;
    const burstStarted = Date.now();
    await Promise.all(
      Array.from({ length: changes }, (_, i) =>
        saveSettings(conn.db, streamers[i % streamers.length] as string, { threshold: 0.2 + (i % 50) / 100 }),
      ),
    );
    const last = await Promise.all(streamers.map((id) => getEffectiveSettings(conn.db, id)));
    await waitFor(
      "every streamer's last change in every worker's cache",
      () =>
        workers.every((w) => streamers.every((id, i) => w.settings.for(id).threshold === last[i]?.threshold)),
      1_000,
    );
    // Notifications are still being delivered after the last commit returns: the reloads
    // span the burst and that tail, until every cache holds the last values.
    const reloadingMs = Date.now() - burstStarted;
    const after = await counts();
    after.forEach((c, i) => {
      expect(c.full).toBe(before[i]?.full);
      const queries = c.streamers - (before[i]?.streamers ?? 0);
      expect(queries).toBeGreaterThanOrEqual(1);
      // One query per coalescing window at most while reloads go on, plus the last one.
      expect(queries).toBeLessThanOrEqual(Math.ceil(reloadingMs / DEFAULT_RELOAD_OPTIONS.coalesceMs) + 1);
      expect(queries).toBeLessThan(changes);
    });
  });

  it("dead-letters every bad message with its reason and analyses the good ones as if the bad were absent", async () => {
    const env = isolatedEnv({ KAFKA_PARTITIONS: "1" });
    const bus = busFor(env);
    await bus.ensureTopics();
    const start = privateStart(2001);
    const good: RawMessage[] = [...generateEmotes({ seed: 11, streamers: 1, start, count: 300 })].map(
      (m) => ({
        ...m,
        streamerId: `dlq-${env.WORKER_GROUP_ID.slice(-8)}`,
      }),
    );
    const bad = [
      "not json at all",
      JSON.stringify({ emote: 42, timestamp: new Date(start).toISOString() }),
      JSON.stringify({ timestamp: new Date(start).toISOString() }),
      JSON.stringify({ emote: "🔥", timestamp: "last tuesday" }),
      JSON.stringify({ emote: "🔥", timestamp: new Date(start).toISOString(), pad: "x".repeat(70_000) }),
    ];
    const mixed: (RawMessage | string)[] = [];
    good.forEach((m, i) => {
      if (i % 25 === 0) mixed.push(bad[(i / 25) % bad.length] as string);
      mixed.push(m);
    });
    const badCount = mixed.length - good.length;
    await produceRaw(bus, mixed);

    const worker = await startWorker(env, testObservability());
    running.push(worker);
    await waitFor(
      "everything consumed",
      async () => (await worker.metrics.totals()).consumed === mixed.length,
    );
    expect((await worker.metrics.totals()).deadLettered).toBe(badCount);

    const dlq = await collect(bus, bus.topics.dlq);
    await waitFor("the DLQ", () => dlq.records.length === badCount);
    await dlq.stop();
    expect(dlq.records.map((r) => String(r.value))).toEqual(mixed.filter((m) => typeof m === "string"));
    expect(new Set(dlq.records.map((r) => String(r.headers?.[DLQ_HEADERS.reason])))).toEqual(
      new Set(["not_json", "invalid_emote", "invalid_timestamp", "too_large"]),
    );
    expect(new Set(dlq.records.map((r) => String(r.headers?.[DLQ_HEADERS.error])))).toEqual(
      new Set([
        "not JSON",
        // A number and a missing emote are refused alike, by the one emote rule.
        `invalid emote: ${NOT_AN_EMOTE_MESSAGE}`,
        "invalid timestamp: Invalid ISO datetime",
        `message is ${Buffer.byteLength(bad[4] as string)} bytes, over the 65536 limit`,
      ]),
    );

    const expected = byId(expectedMoments(good, () => DEFAULT_SETTINGS));
    const streamerId = good[0]?.streamerId as string;
    expect(await storedMoments([streamerId], start, start + 3_600_000)).toEqual(expected);
  });
});
