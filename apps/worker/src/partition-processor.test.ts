import { afterAll, describe, expect, it, vi } from "vitest";
import {
  RecordRejectedError,
  topicNames,
  type BatchControl,
  type BusProducer,
  type IncomingRecord,
  type OutgoingRecord,
} from "@emote/bus";
import {
  DEFAULT_SETTINGS,
  NOT_AN_EMOTE_MESSAGE,
  VIEWER_HEADER,
  ViewerSketch,
  windowStatsSchema,
  type AnalysisSettings,
  type Moment,
  type WindowStats,
} from "@emote/contracts";
import {
  CheckpointSupersededError,
  isDataError,
  isTransientDatabaseError,
  type AnalysisCommit,
  type StreamerProgress,
} from "@emote/db";
import {
  createLogger,
  Registry,
  SpanKind,
  startTracing,
  traceIdOf,
  type Tracing,
} from "@emote/observability";
import { DLQ_HEADERS } from "./dead-letter.ts";
import { inlineParser } from "./parse-batch.ts";
import { PartitionProcessor } from "./partition-processor.ts";
import { UnrecoverableBatchError } from "./poison-bisection.ts";
import type { ProgressStore } from "./progress-store.ts";
import { SettingsCache } from "@emote/settings";
import { audience, during, POPULAR_MIX, syntheticChat } from "../test/synthetic-chat.ts";
import { asStored } from "../test/stored-progress.ts";
import type { SurgeStage } from "./surge-stage.ts";
import { threadSurgeStage } from "./surge-thread.ts";
import { WorkerMetrics } from "./worker-metrics.ts";

const topics = topicNames();

class MemoryStore implements ProgressStore {
  checkpoints = new Map<string, bigint>();
  streamers = new Map<string, StreamerProgress>();
  moments = new Map<string, Moment>();
  lastCommitted = new Map<string, string[]>();
  failNextCommit = false;
  /** A commit this says true of fails as PostgreSQL refusing the data would (SQLSTATE 22P05). */
  refuses: ((c: Omit<AnalysisCommit, "groupId">) => boolean) | undefined;
  /** The next calls to refuse as an unreachable database would, in order ("all": every call). */
  unreachable: (keyof ProgressStore | "all")[] = [];
  onCommit: (() => void) | undefined;
  commits = 0;
  /** While set, a commit waits for it (a database slow to answer). */
  commitGate: Promise<void> | undefined;
  isUnavailable = isTransientDatabaseError;
  isDataError = isDataError;
  private reach(call: keyof ProgressStore) {
    if (this.unreachable[0] === call) this.unreachable.shift();
    else if (this.unreachable[0] !== "all") return;
    throw new Error("Failed query", {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    });
  }
  async loadCheckpoint(topic: string, partition: number) {
    this.reach("loadCheckpoint");
    return this.checkpoints.get(`${topic}:${partition}`) ?? null;
  }
  async dropEarlierLogCheckpoint(topic: string, partition: number, nextOffset: bigint) {
    this.reach("dropEarlierLogCheckpoint");
    const key = `${topic}:${partition}`;
    if (this.checkpoints.get(key) === nextOffset) this.checkpoints.delete(key);
  }
  async loadLastCommitted(topic: string, partition: number) {
    this.reach("loadLastCommitted");
    const positions = [...this.moments.keys()];
    return (this.lastCommitted.get(`${topic}:${partition}`) ?? []).map((id) => ({
      ...(this.moments.get(id) as Moment),
      position: positions.indexOf(id) + 1,
    }));
  }
  /** Runs (once) before the next loadStreamers answers: another member's commit landing meanwhile. */
  beforeLoadStreamers: (() => Promise<void>) | undefined;
  async loadStreamers(ids: string[]) {
    this.reach("loadStreamers");
    const before = this.beforeLoadStreamers;
    this.beforeLoadStreamers = undefined;
    await before?.();
    return ids.flatMap((id) => {
      const p = this.streamers.get(id);
      return p ? [structuredClone(p)] : [];
    });
  }
  async commit(c: Omit<AnalysisCommit, "groupId">) {
    this.onCommit?.();
    await this.commitGate;
    this.reach("commit");
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error("database went away");
    }
    if (this.refuses?.(c)) {
      throw new Error("Failed query: insert into …", {
        cause: Object.assign(new Error("unsupported Unicode escape sequence"), { code: "22P05" }),
      });
    }
    // As commitAnalysis: a checkpoint never moves back.
    const stored = this.checkpoints.get(`${c.topic}:${c.partition}`);
    if (stored !== undefined && stored > c.nextOffset) throw new CheckpointSupersededError("superseded");
    this.commits++;
    for (const m of c.moments) if (!this.moments.has(m.id)) this.moments.set(m.id, m);
    for (const s of c.streamers) this.streamers.set(s.streamerId, asStored(s));
    this.checkpoints.set(`${c.topic}:${c.partition}`, c.nextOffset);
    this.lastCommitted.set(
      `${c.topic}:${c.partition}`,
      c.moments.map((m) => m.id),
    );
    // As the moment log: positions in the order moments were first stored.
    const positions = [...this.moments.keys()];
    return c.moments.map((m) => positions.indexOf(m.id) + 1);
  }
}

class RecordingProducer implements BusProducer {
  sent: { topic: string; record: OutgoingRecord }[] = [];
  /** A send with a record this says true of is refused for good, as a broker would a too-large one. */
  refuses: ((topic: string, r: OutgoingRecord) => boolean) | undefined;
  /** Topics with records, per call of send. */
  calls: string[][] = [];
  /** The next send with records for this topic fails (a broker gone). */
  failNextSendTo: string | undefined;
  async send(batches: { topic: string; records: OutgoingRecord[] }[]) {
    if (batches.some((b) => b.records.some((r) => this.refuses?.(b.topic, r)))) {
      throw new RecordRejectedError("MESSAGE_TOO_LARGE");
    }
    if (batches.some((b) => b.topic === this.failNextSendTo && b.records.length > 0)) {
      this.failNextSendTo = undefined;
      throw new Error("broker went away");
    }
    this.calls.push(batches.filter((b) => b.records.length > 0).map((b) => b.topic));
    for (const b of batches) for (const record of b.records) this.sent.push({ topic: b.topic, record });
  }
  async disconnect() {}
  on(topic: string) {
    return this.sent.filter((s) => s.topic === topic).map((s) => s.record);
  }
}

function control(): BatchControl & { committed: string[] } {
  const committed: string[] = [];
  return {
    committed,
    shouldContinue: () => true,
    heartbeat: async () => {},
    commit: async (o) => void committed.push(o),
  };
}

/** A batch's records with the partition's end as fetched right after them. */
function logged(recs: IncomingRecord[]): { records: IncomingRecord[]; end: string } {
  const last = recs.at(-1);
  return { records: recs, end: last ? String(BigInt(last.offset) + 1n) : "0" };
}

function records(values: (string | object)[], firstOffset = 0): IncomingRecord[] {
  return values.map((v, i) => ({
    key: null,
    value: Buffer.from(typeof v === "string" ? v : JSON.stringify(v)),
    headers: {},
    offset: String(firstOffset + i),
  }));
}

function setup(
  settings: {
    defaults?: AnalysisSettings;
    byStreamer?: Map<string, AnalysisSettings>;
    tracing?: Tracing;
    streamerIdleMs?: number;
    surges?: SurgeStage;
  } = {},
) {
  const store = new MemoryStore();
  const producer = new RecordingProducer();
  const cache = new SettingsCache({
    defaults: settings.defaults ?? DEFAULT_SETTINGS,
    byStreamer: settings.byStreamer ?? new Map(),
  });
  const registry = new Registry();
  const log = createLogger({ service: "test", env: { LOG_LEVEL: "silent" } });
  const metrics = new WorkerMetrics(registry, log);
  const clock = { now: 0 };
  const make = () =>
    new PartitionProcessor({
      topics,
      producer,
      store,
      settings: cache,
      metrics,
      tracing: settings.tracing ?? startTracing({ service: "test" }),
      log,
      parser: inlineParser,
      now: () => clock.now,
      maxMessageBytes: { dlq: 1_048_588, aggregated: 1_048_588 },
      ...(settings.streamerIdleMs === undefined ? {} : { streamerIdleMs: settings.streamerIdleMs }),
      ...(settings.surges && { surges: settings.surges }),
    });
  return { store, producer, cache, metrics, registry, clock, processor: make(), make };
}

const ts = (second: number) => new Date(Date.UTC(2025, 0, 15, 10, 20, second)).toISOString();
const statsWithViewers = (producer: RecordingProducer) =>
  producer.on(topics.stats).map((r) => {
    const value = windowStatsSchema.parse(JSON.parse(String(r.value)));
    expect(r.key).toBe(value.streamerId);
    return value;
  });
/** The window stats sent, without their viewer sketches (the tests of viewers read them). */
const stats = (producer: RecordingProducer) =>
  statsWithViewers(producer).map(({ viewers: _viewers, ...counts }) => counts);
const twoField = (emote: string, second: number) => ({ emote, timestamp: ts(second) });

describe("PartitionProcessor", () => {
  it("analyses the original two-field messages as streamer 'default', every `interval` messages", async () => {
    const { processor, producer, store } = setup();
    // 29 emotes: no analysis yet.
    const first = [...Array(12).fill(twoField("🔥", 1)), ...Array(17).fill(twoField("😀", 2))];
    const c = control();
    await processor.handle({ topic: topics.raw, partition: 0, ...logged(records(first)) }, c);
    expect(producer.on(topics.aggregated)).toEqual([]);
    expect(store.streamers.get("default")).toMatchObject({ batchSeq: 0, pendingCount: 29 });
    expect(c.committed).toEqual(["28"]);

    // The 30th closes the batch: 🔥 12/30 = 0.4 and 😀 18/30 = 0.6.
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([twoField("😀", 3)], 29)) },
      c,
    );
    const sent = producer.on(topics.aggregated);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.key).toBe("default");
    const moments = JSON.parse(String(sent[0]?.value)) as Moment[];
    expect(
      moments.map(({ emote, count, total, ratio, timestamp, streamerId }) => ({
        emote,
        count,
        total,
        ratio,
        timestamp,
        streamerId,
      })),
    ).toEqual([
      {
        emote: "😀",
        count: 18,
        total: 30,
        ratio: 0.6,
        timestamp: "2025-01-15T10:20:00.000Z",
        streamerId: "default",
      },
      {
        emote: "🔥",
        count: 12,
        total: 30,
        ratio: 0.4,
        timestamp: "2025-01-15T10:20:00.000Z",
        streamerId: "default",
      },
    ]);
    // Published once stored, each with its position in the moment log.
    expect(moments.map((m) => m.position)).toEqual([1, 2]);
    expect([...store.moments.values()].map((m, i) => ({ ...m, position: i + 1 }))).toEqual(moments);
    expect(store.streamers.get("default")).toMatchObject({ batchSeq: 1, pendingCount: 0, pendingCounts: {} });
    expect(store.checkpoints.get(`${topics.raw}:0`)).toBe(30n);
  });

  it("publishes moments only once they are stored, and nothing of a commit that was superseded", async () => {
    const { processor, producer, store } = setup({ defaults: { ...DEFAULT_SETTINGS, interval: 2 } });
    let publishedAtCommit = -1;
    store.onCommit = () => (publishedAtCommit = producer.on(topics.aggregated).length);
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([twoField("🔥", 1), twoField("🔥", 2)])) },
      control(),
    );
    expect(publishedAtCommit).toBe(0);
    expect(producer.on(topics.aggregated)).toHaveLength(1);

    // Another member stored the partition further on (this one was evicted while it worked).
    store.checkpoints.set(`${topics.raw}:0`, 100n);
    const late = processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([twoField("😀", 3), twoField("😀", 4)], 2)) },
      control(),
    );
    await expect(late).rejects.toBeInstanceOf(CheckpointSupersededError);
    expect(producer.on(topics.aggregated)).toHaveLength(1);
  });

  it("publishes the last commit's moments again when a worker failed to send them after its commit", async () => {
    const { producer, store, make } = setup({ defaults: { ...DEFAULT_SETTINGS, interval: 2 } });
    producer.failNextSendTo = topics.aggregated;
    const first = {
      topic: topics.raw,
      partition: 0,
      ...logged(records([twoField("🔥", 1), twoField("🔥", 2)])),
    };
    await expect(make().handle(first, control())).rejects.toThrow("broker went away");
    expect(store.moments.size).toBe(1);
    expect(producer.on(topics.aggregated)).toEqual([]);

    // Whoever takes the partition next (here after a restart) publishes them before going on.
    const next = { topic: topics.raw, partition: 0, ...logged(records([twoField("😀", 3)], 2)) };
    await make().handle(next, control());
    const [again] = producer.on(topics.aggregated);
    expect(JSON.parse(String(again?.value))).toEqual([{ ...[...store.moments.values()][0], position: 1 }]);
    expect(again?.key).toBe("default");
  });

  it("keeps streamers apart: each has its own batch and settings", async () => {
    const byStreamer = new Map([["s2", { ...DEFAULT_SETTINGS, interval: 2 }]]);
    const { processor, producer, store } = setup({ byStreamer });
    const msgs = [
      { emote: "🔥", timestamp: ts(1), streamerId: "s1" },
      { emote: "😀", timestamp: ts(1), streamerId: "s2" },
      { emote: "🔥", timestamp: ts(2), streamerId: "s1" },
      { emote: "😀", timestamp: ts(2), streamerId: "s2" },
    ];
    await processor.handle({ topic: topics.raw, partition: 1, ...logged(records(msgs)) }, control());
    const sent = producer.on(topics.aggregated);
    expect(sent.map((r) => r.key)).toEqual(["s2"]);
    expect(
      (JSON.parse(String(sent[0]?.value)) as Moment[]).map((m) => [m.streamerId, m.emote, m.count, m.total]),
    ).toEqual([["s2", "😀", 2, 2]]);
    expect(store.streamers.get("s1")).toMatchObject({ batchSeq: 0, pendingCount: 2 });
  });

  it("sends bad messages to the DLQ with the reason and original bytes, and analyses the rest as if they were absent", async () => {
    const interval = 4;
    const clean = setup({ defaults: { ...DEFAULT_SETTINGS, interval } });
    const dirty = setup({ defaults: { ...DEFAULT_SETTINGS, interval } });
    const good = [twoField("🔥", 1), twoField("🔥", 2), twoField("😀", 3), twoField("🔥", 4)];
    const bad = [
      "not json",
      { emote: 5, timestamp: ts(1) },
      { timestamp: ts(1) },
      { emote: "🔥", timestamp: "yesterday" },
    ];
    const mixed = [bad[0], good[0], bad[1], good[1], good[2], bad[2], bad[3], good[3]] as (string | object)[];

    await clean.processor.handle({ topic: topics.raw, partition: 0, ...logged(records(good)) }, control());
    await dirty.processor.handle({ topic: topics.raw, partition: 0, ...logged(records(mixed)) }, control());

    const dead = dirty.producer.on(topics.dlq);
    expect(dead.map((r) => r.headers?.[DLQ_HEADERS.reason])).toEqual([
      "not_json",
      "invalid_emote",
      "invalid_emote",
      "invalid_timestamp",
    ]);
    expect(dead.map((r) => r.headers?.[DLQ_HEADERS.error])).toEqual([
      "not JSON",
      `invalid emote: ${NOT_AN_EMOTE_MESSAGE}`,
      `invalid emote: ${NOT_AN_EMOTE_MESSAGE}`,
      "invalid timestamp: Invalid ISO datetime",
    ]);
    expect(dead.map((r) => String(r.value))).toEqual(
      bad.map((b) => (typeof b === "string" ? b : JSON.stringify(b))),
    );
    expect(dead.map((r) => r.headers?.[DLQ_HEADERS.sourceOffset])).toEqual(["0", "2", "5", "6"]);
    expect((await dirty.metrics.totals()).deadLettered).toBe(4);
    const byReason = (await dirty.metrics.dlqMessages.get()).values.filter((v) => v.value > 0);
    expect(byReason.map((v) => [v.labels.reason, v.value]).sort()).toEqual([
      ["invalid_emote", 2],
      ["invalid_timestamp", 1],
      ["not_json", 1],
    ]);
    expect([...dirty.store.moments.values()]).toEqual([...clean.store.moments.values()]);
    expect(dirty.store.moments.size).toBe(1);
  });

  it("skips what a previous run already applied, so a replay after a crash counts nothing twice", async () => {
    const defaults = { ...DEFAULT_SETTINGS, interval: 3 };
    const emotes = Array.from({ length: 10 }, (_, i) => twoField(i % 3 === 0 ? "😀" : "🔥", i));
    const reference = setup({ defaults });
    await reference.processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records(emotes)) },
      control(),
    );

    const crashed = setup({ defaults });
    await crashed.processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records(emotes.slice(0, 7))) },
      control(),
    );
    // Restart: a new processor over the same store; Kafka redelivers from an older offset.
    const restarted = crashed.make();
    await restarted.handle(
      { topic: topics.raw, partition: 0, ...logged(records(emotes.slice(4), 4)) },
      control(),
    );

    expect((await crashed.metrics.totals()).skippedReplayed).toBe(3);
    expect([...crashed.store.moments.keys()].sort()).toEqual([...reference.store.moments.keys()].sort());
    expect(crashed.store.streamers).toEqual(reference.store.streamers);
  });

  it("reloads its state after a failed commit, so the retried batch gives the same moments", async () => {
    const defaults = { ...DEFAULT_SETTINGS, interval: 2 };
    const { processor, store } = setup({ defaults });
    const batch = {
      topic: topics.raw,
      partition: 0,
      ...logged(records([twoField("🔥", 1), twoField("🔥", 2)])),
    };
    store.failNextCommit = true;
    await expect(processor.handle(batch, control())).rejects.toThrow("database went away");
    await processor.handle(batch, control());
    expect(store.streamers.get("default")).toMatchObject({ batchSeq: 1, pendingCount: 0 });
    expect(store.moments.size).toBe(1);
  });

  it("never builds on streamer state another member stored past the checkpoint it read (a zombie's late commit)", async () => {
    const { store, make } = setup();
    const a = make();
    const b = make();
    const emotes = Array.from({ length: 12 }, (_, i) => twoField(i % 3 === 0 ? "😀" : "🔥", i));
    const batch = (from: number, to: number) => ({
      topic: topics.raw,
      partition: 0,
      ...logged(records(emotes.slice(from, to), from)),
    });
    await a.handle(batch(0, 2), control());
    // The partition moves to b, which reads the checkpoint (2); a, evicted with a batch in
    // flight, stores it just before b loads the streamer: b must not count 2…4 twice.
    store.beforeLoadStreamers = () => a.handle(batch(2, 5), control());
    await expect(b.handle(batch(2, 8), control())).rejects.toBeInstanceOf(CheckpointSupersededError);
    expect(store.checkpoints.get(`${topics.raw}:0`)).toBe(5n);
    await b.handle(batch(2, 8), control());
    await b.handle(batch(8, 12), control());
    const fresh = setup();
    await fresh.processor.handle(batch(0, 12), control());
    expect(store.streamers.get("default")).toEqual(fresh.store.streamers.get("default"));
    expect(store.streamers.get("default")).toMatchObject({ batchSeq: 0, pendingCount: 12 });
  });

  it("is not put off by another partition's failed batch resetting the processor while it loads streamers", async () => {
    const { processor, store } = setup();
    const onPartition = (partition: number, values: object[], firstOffset: number) => ({
      topic: topics.raw,
      partition,
      ...logged(records(values, firstOffset)),
    });
    await processor.handle(onPartition(1, [twoField("🔥", 1)], 0), control());
    // Partition 1's next batch names a streamer not in memory; while it is loaded, a failure
    // on another partition resets the processor (every partition's checkpoint with it).
    store.beforeLoadStreamers = async () => processor.reset();
    await processor.handle(onPartition(1, [{ ...twoField("😀", 2), streamerId: "s1" }], 1), control());
    expect(store.checkpoints.get(`${topics.raw}:1`)).toBe(2n);
    expect(store.streamers.get("s1")).toMatchObject({ pendingCount: 1 });
  });

  it("waits out an unreachable database within the batch, heartbeating, and stores the batch once", async () => {
    const { processor, producer, store, metrics } = setup({ defaults: { ...DEFAULT_SETTINGS, interval: 2 } });
    const batch = {
      topic: topics.raw,
      partition: 0,
      ...logged(records([twoField("🔥", 1), twoField("🔥", 2)])),
    };
    store.unreachable = ["loadCheckpoint", "loadStreamers", "commit", "commit"];
    let heartbeats = 0;
    const c = { ...control(), heartbeat: async () => void heartbeats++ };
    await processor.handle(batch, c);
    expect(c.committed).toEqual(["1"]);
    expect(store.checkpoints.get(`${topics.raw}:0`)).toBe(2n);
    expect(store.moments.size).toBe(1);
    expect(producer.on(topics.aggregated)).toHaveLength(1);
    expect(store.unreachable).toEqual([]);
    expect(heartbeats).toBe(4);
    expect((await metrics.databaseRetries.get()).values[0]?.value).toBe(4);
    expect((await metrics.totals()).consumed).toBe(2);
  });

  it("leaves a stored checkpoint past a replayed batch where it is, and applies only the records beyond it", async () => {
    const { processor, store, metrics } = setup({ defaults: { ...DEFAULT_SETTINGS, interval: 100 } });
    store.checkpoints.set(`${topics.raw}:0`, 10n);
    const c = control();
    const emotes = Array.from({ length: 13 }, (_, i) => twoField("🔥", i));
    // A replay after a crash split into batches that end before the checkpoint.
    // The log holds all 13 (the checkpoint lies within it).
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records(emotes.slice(0, 5))), end: "13" },
      c,
    );
    expect(store.commits).toBe(0);
    expect(store.checkpoints.get(`${topics.raw}:0`)).toBe(10n);
    await processor.handle({ topic: topics.raw, partition: 0, ...logged(records(emotes.slice(5), 5)) }, c);
    expect(c.committed).toEqual(["4", "12"]);
    expect(store.checkpoints.get(`${topics.raw}:0`)).toBe(13n);
    expect(store.streamers.get("default")?.pendingCount).toBe(3);
    expect(await metrics.totals()).toMatchObject({ consumed: 3, skippedReplayed: 10 });
  });

  it("applies a recreated topic's new log from its start when the stored checkpoint lies beyond its end", async () => {
    const { processor, store, metrics, registry } = setup({
      defaults: { ...DEFAULT_SETTINGS, interval: 100 },
    });
    store.checkpoints.set(`${topics.raw}:0`, 50n);
    store.checkpoints.set(`${topics.raw}:1`, 4n);
    const c = control();
    const emotes = Array.from({ length: 4 }, (_, i) => twoField("🔥", i));
    await processor.handle({ topic: topics.raw, partition: 0, ...logged(records(emotes)) }, c);
    expect(store.checkpoints.get(`${topics.raw}:0`)).toBe(4n);
    expect(store.streamers.get("default")?.pendingCount).toBe(4);
    // A checkpoint exactly at the end is a caught-up worker: the replayed records are skipped.
    await processor.handle({ topic: topics.raw, partition: 1, ...logged(records(emotes)) }, c);
    expect(store.checkpoints.get(`${topics.raw}:1`)).toBe(4n);
    expect(store.streamers.get("default")?.pendingCount).toBe(4);
    expect(await metrics.totals()).toMatchObject({ consumed: 4, skippedReplayed: 4 });
    expect(await registry.getSingleMetricAsString("emote_worker_earlier_log_checkpoints_total")).toContain(
      `emote_worker_earlier_log_checkpoints_total{topic="${topics.raw}",partition="0"} 1`,
    );
  });

  it("heartbeats while a store call hangs", async () => {
    vi.useFakeTimers();
    try {
      const { processor, store } = setup();
      let release = () => {};
      store.commitGate = new Promise((resolve) => (release = resolve));
      let heartbeats = 0;
      const c = { ...control(), heartbeat: async () => void heartbeats++ };
      const handled = processor.handle(
        { topic: topics.raw, partition: 0, ...logged(records([twoField("🔥", 1)])) },
        c,
      );
      await vi.advanceTimersByTimeAsync(3_500);
      expect(heartbeats).toBe(3);
      release();
      await handled;
      expect(c.committed).toEqual(["0"]);
      await vi.advanceTimersByTimeAsync(3_000);
      expect(heartbeats).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("ends the retries with the rebalance a heartbeat reports during a failing call", async () => {
    vi.useFakeTimers();
    try {
      const { processor, store } = setup();
      let release = () => {};
      store.commitGate = new Promise((resolve) => (release = resolve));
      store.unreachable = ["commit"];
      const rebalancing = Object.assign(new Error("The group is rebalancing, so a rejoin is needed"), {
        type: "REBALANCE_IN_PROGRESS",
      });
      const c = {
        ...control(),
        heartbeat: async () => {
          throw rebalancing;
        },
      };
      const handled = processor.handle(
        { topic: topics.raw, partition: 0, ...logged(records([twoField("🔥", 1)])) },
        c,
      );
      const outcome = handled.catch((err: unknown) => err);
      await vi.advanceTimersByTimeAsync(1_500);
      release();
      expect(await outcome).toBe(rebalancing);
      expect(c.committed).toEqual([]);
      expect(store.checkpoints.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("gives up waiting for the database once the batch is no longer this worker's", async () => {
    const { processor, store } = setup();
    store.unreachable = ["all"];
    let running = true;
    const c = {
      ...control(),
      shouldContinue: () => running,
      heartbeat: async () => {
        running = false;
      },
    };
    await expect(
      processor.handle({ topic: topics.raw, partition: 0, ...logged(records([twoField("🔥", 1)])) }, c),
    ).rejects.toThrow("Failed query");
    expect(c.committed).toEqual([]);
  });

  it("applies a settings change from the next batch on", async () => {
    const { processor, producer, cache } = setup({ defaults: { ...DEFAULT_SETTINGS, interval: 2 } });
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([twoField("🔥", 1), twoField("😀", 2)])) },
      control(),
    );
    expect(producer.on(topics.aggregated)).toHaveLength(1);
    cache.replace({ defaults: { ...DEFAULT_SETTINGS, interval: 2, threshold: 0.6 }, byStreamer: new Map() });
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([twoField("🔥", 3), twoField("😀", 4)], 2)) },
      control(),
    );
    // 0.5 each is not above 0.6: the second batch finds nothing.
    expect(producer.on(topics.aggregated)).toHaveLength(1);
  });

  it("publishes each streamer's counts per minute of every good emote on emote-window-stats with the moments, after the commit (dead letters before it)", async () => {
    const { processor, producer, store } = setup();
    let sentAtCommit = -1;
    store.onCommit = () => (sentAtCommit = producer.sent.length);
    const msgs = [
      { emote: "🔥", timestamp: ts(1), streamerId: "s1" },
      "not json", // dead-lettered, not counted
      { emote: "🦄", timestamp: ts(2), streamerId: "s1" }, // not allowed: counted all the same
      { emote: "😀", timestamp: ts(5), streamerId: "s2" },
      { emote: "🔥", timestamp: ts(59), streamerId: "s1" },
      { emote: "😀", timestamp: ts(60), streamerId: "s1" }, // 10:21:00
    ];
    await processor.handle({ topic: topics.raw, partition: 0, ...logged(records(msgs)) }, control());
    expect(stats(producer)).toEqual<WindowStats[]>([
      { streamerId: "s1", windowStart: "2025-01-15T10:20:00.000Z", counts: { "🔥": 2, "🦄": 1 }, total: 3 },
      { streamerId: "s1", windowStart: "2025-01-15T10:21:00.000Z", counts: { "😀": 1 }, total: 1 },
      { streamerId: "s2", windowStart: "2025-01-15T10:20:00.000Z", counts: { "😀": 1 }, total: 1 },
    ]);
    expect(producer.calls).toEqual([[topics.dlq], [topics.stats]]);
    expect(sentAtCommit).toBe(1);
  });

  it("counts each record's viewer in its 10 s bucket of the window stats, an anonymous record as one viewer", async () => {
    const { processor, producer } = setup();
    const withViewer = (viewer: string | undefined, second: number, offset: number): IncomingRecord => ({
      key: null,
      value: Buffer.from(JSON.stringify({ emote: "🔥", timestamp: ts(second), streamerId: "s1" })),
      headers: viewer === undefined ? {} : { [VIEWER_HEADER]: Buffer.from(viewer) },
      offset: String(offset),
    });
    const recs = [
      withViewer("alice", 1, 0),
      withViewer("alice", 2, 1),
      withViewer("bob", 3, 2),
      withViewer(undefined, 4, 3),
      withViewer(undefined, 5, 4),
      withViewer("alice", 15, 5),
    ];
    await processor.handle({ topic: topics.raw, partition: 0, ...logged(recs) }, control());
    const [sent] = statsWithViewers(producer);
    expect(sent?.viewers?.map((b) => [b.bucketStart, ViewerSketch.decode(b.sketch).estimate()])).toEqual([
      ["2025-01-15T10:20:00.000Z", 4],
      ["2025-01-15T10:20:10.000Z", 1],
    ]);
  });

  it("sends a streamer's stats at most once a second, only the minutes that changed, and what a quiet streamer still owes on publishStats", async () => {
    const { processor, producer, clock } = setup();
    const batch = (first: number, msgs: object[]) =>
      processor.handle({ topic: topics.raw, partition: 0, ...logged(records(msgs, first)) }, control());
    await batch(0, [
      { emote: "🔥", timestamp: ts(1), streamerId: "s1" },
      { emote: "🔥", timestamp: ts(61), streamerId: "s1" },
    ]);
    expect(stats(producer)).toHaveLength(2);

    clock.now = 500;
    await batch(2, [
      { emote: "😀", timestamp: ts(62), streamerId: "s1" },
      { emote: "👍", timestamp: ts(3), streamerId: "s2" }, // s2 is new: due at once
    ]);
    expect(stats(producer).slice(2)).toEqual<WindowStats[]>([
      { streamerId: "s2", windowStart: "2025-01-15T10:20:00.000Z", counts: { "👍": 1 }, total: 1 },
    ]);
    expect(await processor.publishStats()).toBe(0); // s1: 500 ms since its last publication

    clock.now = 1000;
    await batch(4, [{ emote: "🔥", timestamp: ts(63), streamerId: "s1" }]);
    // Minute 10:20 of s1 did not change: only 10:21, with everything counted so far.
    expect(stats(producer).slice(3)).toEqual<WindowStats[]>([
      { streamerId: "s1", windowStart: "2025-01-15T10:21:00.000Z", counts: { "🔥": 2, "😀": 1 }, total: 3 },
    ]);

    // The stream goes quiet after an emote held back by the throttle: publishStats sends it.
    clock.now = 1200;
    await batch(5, [{ emote: "😢", timestamp: ts(64), streamerId: "s1" }]);
    expect(stats(producer)).toHaveLength(4);
    clock.now = 2200;
    expect(await processor.publishStats()).toBe(1);
    expect(stats(producer).slice(4)).toEqual<WindowStats[]>([
      {
        streamerId: "s1",
        windowStart: "2025-01-15T10:21:00.000Z",
        counts: { "🔥": 2, "😀": 1, "😢": 1 },
        total: 4,
      },
    ]);
    expect(await processor.publishStats({ all: true })).toBe(0);
  });

  it("does not count a retried batch twice in the stats after a failed commit", async () => {
    const { processor, producer, store, clock } = setup();
    const batch = {
      topic: topics.raw,
      partition: 0,
      ...logged(records([twoField("🔥", 1), twoField("🔥", 2), twoField("😀", 3)])),
    };
    store.failNextCommit = true;
    await expect(processor.handle(batch, control())).rejects.toThrow("database went away");
    clock.now = 1000;
    await processor.handle(batch, control());
    expect(stats(producer)).toHaveLength(1); // sent after the retry's commit only
    expect(stats(producer).at(-1)).toEqual<WindowStats>({
      streamerId: "default",
      windowStart: "2025-01-15T10:20:00.000Z",
      counts: { "🔥": 2, "😀": 1 },
      total: 3,
    });
  });

  it("counts what it applied once durable, and times each batch", async () => {
    const { processor, store, metrics } = setup({ defaults: { ...DEFAULT_SETTINGS, interval: 3 } });
    const batch = {
      topic: topics.raw,
      partition: 0,
      ...logged(
        records([twoField("🔥", 1), "junk", twoField("🔥", 2), twoField("😀", 3), twoField("🔥", 4)]),
      ),
    };
    store.failNextCommit = true;
    await expect(processor.handle(batch, control())).rejects.toThrow("database went away");
    expect(await metrics.totals()).toMatchObject({ consumed: 0, deadLettered: 0, moments: 0, analyses: 0 });

    await processor.handle(batch, control());
    // 🔥 🔥 😀: 🔥 2/3 and 😀 1/3 are both above 0.3.
    expect(await metrics.totals()).toMatchObject({ consumed: 5, deadLettered: 1, moments: 2, analyses: 1 });
    expect(store.moments.size).toBe(2);
    const histogram = (await metrics.batchDuration.get()).values;
    expect(histogram.find((v) => v.metricName?.endsWith("_count"))?.value).toBe(1);
  });

  it("continues the first emote's trace: a producer span per moment, ended once Kafka acknowledged, on the record's header and in the store", async () => {
    const spans: { name: string; parent?: string; kind?: SpanKind; attributes?: object; endedAt?: number }[] =
      [];
    let childSpan = 0;
    const { processor, producer, store } = setup({
      defaults: { ...DEFAULT_SETTINGS, interval: 4 },
      tracing: {
        exporting: true,
        startSpan(name, opts) {
          const span: (typeof spans)[number] = { name, ...opts };
          spans.push(span);
          const spanId = (++childSpan).toString(16).padStart(16, "c");
          return {
            traceparent: `00-${traceIdOf(opts?.parent)}-${spanId}-01`,
            end: () => (span.endedAt = producer.sent.length),
          };
        },
        shutdown: async () => undefined,
      },
    });
    const first = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const later = "00-11111111111111111111111111111111-2222222222222222-01";
    const msgs = records([
      { emote: "🔥", timestamp: ts(1), streamerId: "s1" },
      { emote: "🔥", timestamp: ts(2), streamerId: "s1" },
      { emote: "😀", timestamp: ts(3), streamerId: "s1" },
      { emote: "😀", timestamp: ts(4), streamerId: "s1" },
    ]);
    msgs[0]!.headers = { traceparent: Buffer.from(first) };
    msgs[1]!.headers = {};
    msgs[2]!.headers = { traceparent: later };
    await processor.handle({ topic: topics.raw, partition: 0, ...logged(msgs) }, control());

    const [record] = producer.on(topics.aggregated);
    const moments = JSON.parse(String(record?.value)) as Moment[];
    expect(moments.map((m) => [m.emote, traceIdOf(m.traceparent)])).toEqual([
      ["😀", "11111111111111111111111111111111"],
      ["🔥", "4bf92f3577b34da6a3ce929d0e0e4736"],
    ]);
    expect(spans).toEqual([
      {
        name: "moment detected",
        parent: later,
        kind: SpanKind.PRODUCER,
        attributes: { "emote.streamer_id": "s1", "emote.moment_id": moments[0]?.id, "emote.emote": "😀" },
        endedAt: producer.sent.length,
      },
      {
        name: "moment detected",
        parent: first,
        kind: SpanKind.PRODUCER,
        attributes: { "emote.streamer_id": "s1", "emote.moment_id": moments[1]?.id, "emote.emote": "🔥" },
        endedAt: producer.sent.length,
      },
    ]);
    // The moments carry the worker's spans: same traces, new span ids.
    expect(moments.map((m) => m.traceparent)).toEqual([
      "00-11111111111111111111111111111111-ccccccccccccccc1-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-ccccccccccccccc2-01",
    ]);
    expect(record?.headers).toEqual({ traceparent: moments[0]?.traceparent });
    expect([...store.moments.values()].map((m, i) => ({ ...m, position: i + 1 }))).toEqual(moments);
  });

  it("sends moments without trace context without a header or span", async () => {
    const { processor, producer } = setup({ defaults: { ...DEFAULT_SETTINGS, interval: 2 } });
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([twoField("🔥", 1), twoField("🔥", 2)])) },
      control(),
    );
    const [record] = producer.on(topics.aggregated);
    expect(record?.headers).toBeUndefined();
    expect(JSON.parse(String(record?.value))).toEqual([
      expect.not.objectContaining({ traceparent: expect.anything() }),
    ]);
  });
});

describe("PartitionProcessor with records refused downstream", () => {
  const poison = "☠";
  const touches = (c: Omit<AnalysisCommit, "groupId">) =>
    c.streamers.some((p) => JSON.stringify(p.pendingCounts).includes(poison));
  const msg = (emote: string, second: number, streamerId = "s1") => ({
    emote,
    timestamp: ts(second),
    streamerId,
  });

  it("dead-letters the one record whose commit the database refuses, and stores every other", async () => {
    const { processor, producer, store, metrics } = setup();
    store.refuses = touches;
    const batch = [
      msg("🔥", 1),
      msg("😀", 2),
      msg(poison, 3, "s2"),
      msg("🔥", 4),
      msg("🔥", 5),
      msg("😀", 6),
    ];
    const c = control();
    await processor.handle({ topic: topics.raw, partition: 0, ...logged(records(batch)) }, c);
    const dead = producer.on(topics.dlq);
    expect(dead.map((r) => [r.headers?.[DLQ_HEADERS.reason], r.headers?.[DLQ_HEADERS.sourceOffset]])).toEqual(
      [["store_rejected", "2"]],
    );
    expect(String(dead[0]?.headers?.[DLQ_HEADERS.error])).toContain("Failed query");
    expect(store.streamers.get("s1")).toMatchObject({ pendingCount: 5 });
    expect(store.streamers.has("s2")).toBe(false);
    expect(store.checkpoints.get(`${topics.raw}:0`)).toBe(6n);
    expect(c.committed.at(-1)).toBe("5");
    const totals = await metrics.totals();
    expect([totals.consumed, totals.deadLettered]).toEqual([6, 1]);
  });

  it("leaves out a record of committed moments the broker refuses for good, publishes the others, and goes on", async () => {
    const { processor, producer, store } = setup({
      defaults: { ...DEFAULT_SETTINGS, interval: 1, allowedEmotes: ["🔥", poison] },
    });
    producer.refuses = (topic, r) => topic === topics.aggregated && String(r.value).includes(poison);
    const c = control();
    await processor.handle(
      {
        topic: topics.raw,
        partition: 0,
        ...logged(records([msg("🔥", 1), msg(poison, 2, "s2"), msg("🔥", 3)])),
      },
      c,
    );
    // Stored (gateways read it from PostgreSQL), not dead-lettered: its emote was analysed.
    expect([...store.moments.values()].map((m) => m.emote).sort()).toEqual(["🔥", "🔥", poison].sort());
    expect(producer.on(topics.dlq)).toEqual([]);
    expect(producer.on(topics.aggregated).map((r) => String(r.key))).toEqual(["s1", "s1"]);
    expect(store.checkpoints.get(`${topics.raw}:0`)).toBe(3n);
    expect(c.committed.at(-1)).toBe("2");
  });

  it("stops for good (retriable: false) when a refused record cannot be dead-lettered either", async () => {
    const { processor, producer, store } = setup();
    store.refuses = () => true;
    producer.refuses = (topic) => topic === topics.dlq;
    const err = await processor
      .handle({ topic: topics.raw, partition: 0, ...logged(records([msg("🔥", 1)])) }, control())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(UnrecoverableBatchError);
    expect((err as { retriable: unknown }).retriable).toBe(false);
  });

  it("leaves a transient failure to the consumer's retry, as before", async () => {
    const { processor, store, producer } = setup();
    store.failNextCommit = true;
    await expect(
      processor.handle({ topic: topics.raw, partition: 0, ...logged(records([msg("🔥", 1)])) }, control()),
    ).rejects.toThrow("database went away");
    expect(producer.on(topics.dlq)).toEqual([]);
  });

  it("keeps memory bounded under 50,000 distinct streamer ids: once idle, all of them leave", async () => {
    const { processor, clock } = setup({ streamerIdleMs: 60_000 });
    const ids = Array.from({ length: 50_000 }, (_, i) => `many-${i}`);
    for (let from = 0; from < ids.length; from += 5_000) {
      const batch = ids.slice(from, from + 5_000).map((id) => msg("🔥", 1, id));
      await processor.handle({ topic: topics.raw, partition: 0, ...logged(records(batch, from)) }, control());
    }
    expect(processor.streamersInMemory).toBe(50_000);
    clock.now = 120_000;
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([msg("🔥", 2)], 50_000)) },
      control(),
    );
    expect(processor.streamersInMemory).toBe(1);
  });

  it("forgets idle streamers and reloads them from the store, where they left off", async () => {
    const { processor, store, clock } = setup({
      streamerIdleMs: 1_000,
      defaults: { ...DEFAULT_SETTINGS, interval: 3 },
    });
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([msg("🔥", 1), msg("🔥", 2)])) },
      control(),
    );
    clock.now = 10_000;
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([msg("😀", 3, "s2")], 2)) },
      control(),
    );
    expect(processor.streamersInMemory).toBe(1);
    await processor.handle(
      { topic: topics.raw, partition: 0, ...logged(records([msg("🔥", 4)], 3)) },
      control(),
    );
    // The third emote of s1 closed its batch: the two before the eviction were not lost.
    expect([...store.moments.values()].map((m) => [m.streamerId, m.count, m.total])).toEqual([["s1", 3, 3]]);
  });
});

describe("PartitionProcessor with the surge detectors on their thread", () => {
  const thread = threadSurgeStage();
  afterAll(() => thread.close());

  /** Two streamers' chats with viewers, each with a surge of 🔥 from a dozen fans, interleaved. */
  const chat = ["s1", "s2"]
    .flatMap((id, n) =>
      syntheticChat(
        200,
        [
          { rate: () => 2, emote: POPULAR_MIX, viewer: audience(60) },
          { rate: during(100 + 20 * n, 125 + 20 * n, 6), emote: () => "🔥", viewer: audience(12, "fan") },
        ],
        3 + n,
        id,
      ),
    )
    .sort((a, b) => a.timestampMs - b.timestampMs);
  const incoming = (from: number, to: number): IncomingRecord[] =>
    chat.slice(from, to).map((r, i) => ({
      key: null,
      value: Buffer.from(
        JSON.stringify({
          emote: r.emote,
          timestamp: new Date(r.timestampMs).toISOString(),
          streamerId: r.streamerId,
        }),
      ),
      headers: { [VIEWER_HEADER]: Buffer.from(r.viewer ?? "") },
      offset: String(from + i),
    }));
  /** The surge moments published, each in its last version (an end replaces its onset), without log positions. */
  const surges = (producer: RecordingProducer) => {
    const last = new Map<string, Moment>();
    for (const r of producer.on(topics.aggregated)) {
      for (const { position: _position, ...m } of JSON.parse(String(r.value)) as (Moment & {
        position: number;
      })[]) {
        if (m.kind === "surge") last.set(m.id, m);
      }
    }
    return [...last.values()].sort((x, y) => x.id.localeCompare(y.id));
  };
  const surgeState = (store: MemoryStore, id: string) => store.streamers.get(id)?.detectorState;

  it("finds what it finds on the consumer's thread, through failed commits, evictions and any cut of the batches", async () => {
    const inline = setup();
    await inline.processor.handle(
      { topic: topics.raw, partition: 0, ...logged(incoming(0, chat.length)) },
      control(),
    );
    expect(
      new Set(
        surges(inline.producer).map((m) => `${m.streamerId} ${m.emote} ${m.surge?.endedAt !== undefined}`),
      ),
    ).toEqual(new Set(["s1 🔥 true", "s2 🔥 true"]));

    const staged = setup({ surges: thread, streamerIdleMs: 1_000 });
    const cuts = [0, 137, 400, 401, 650, 900, chat.length];
    for (let b = 0; b + 1 < cuts.length; b++) {
      const batch = { topic: topics.raw, partition: 0, ...logged(incoming(cuts[b]!, cuts[b + 1]!)) };
      if (b === 2) {
        // The commit fails: memory, this thread's and the surge thread's, goes back to the store's.
        staged.store.failNextCommit = true;
        await expect(staged.processor.handle(batch, control())).rejects.toThrow("database went away");
      }
      await staged.processor.handle(batch, control());
      if (b === 3) {
        // Idle for longer than streamerIdleMs: the next batch's sweep forgets both, and the one after reloads them.
        staged.clock.now += 10_000;
        await staged.processor.handle(
          {
            topic: topics.raw,
            partition: 1,
            ...logged(records([{ emote: "😀", timestamp: ts(1), streamerId: "s3" }])),
          },
          control(),
        );
        expect(staged.processor.streamersInMemory).toBe(1);
      }
    }
    expect(surges(staged.producer)).toEqual(surges(inline.producer));
    for (const id of ["s1", "s2"]) expect(surgeState(staged.store, id)).toEqual(surgeState(inline.store, id));
  });

  it("forgets a streamer's surge state while its settings turn the detector off, and starts afresh when they turn it on", async () => {
    const { processor, store, cache } = setup({ surges: thread });
    const firstSec = () =>
      (
        store.streamers.get("s1")?.detectorState as
          { surge?: { detector: { streamers: [string, { firstSec: number }][] } } } | undefined
      )?.surge?.detector.streamers[0]?.[1].firstSec;
    const s1 = chat.flatMap((r, i) => (r.streamerId === "s1" ? [i] : []));
    const one = async (i: number) =>
      processor.handle({ topic: topics.raw, partition: 0, ...logged(incoming(i, i + 1)) }, control());
    await one(s1[0]!);
    expect(firstSec()).toBe(Math.floor(chat[s1[0]!]!.timestampMs / 1000));
    cache.replace({ defaults: { ...DEFAULT_SETTINGS, detectors: ["threshold"] }, byStreamer: new Map() });
    await one(s1[1]!);
    expect(store.streamers.get("s1")?.detectorState).not.toHaveProperty("surge");
    cache.replace({ defaults: DEFAULT_SETTINGS, byStreamer: new Map() });
    await one(s1[2]!);
    expect(firstSec()).toBe(Math.floor(chat[s1[2]!]!.timestampMs / 1000));
  });
});
