import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, momentKind, type Moment } from "@emote/contracts";
import { connectDatabase, inArray, moments, rowToMoment } from "@emote/db";
import { generateEmotes } from "@emote/generator/stream";
import { startOtlpCollector, startTcpProxy, type TcpProxy } from "@emote/testkit";
import { createObservability, parseTraceparent, TraceIdSource, traceIdOf } from "@emote/observability";
import { minuteStart, toMoment } from "../../src/analysis/index.ts";
import { analyzeBatch } from "../reference.ts";
import { startWorker, type StartedWorker } from "../../src/worker.ts";
import {
  busFor,
  byId,
  collect,
  expectedMoments,
  infra,
  isolatedEnv,
  privateStart,
  produceRaw,
  scrape,
  testObservability,
  waitFor,
  type RawMessage,
  type Sample,
} from "../harness.ts";

const conn = connectDatabase(infra.databaseUrl, { max: 2 });
const running: StartedWorker[] = [];
const proxies: TcpProxy[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
afterAll(() => conn.close());

const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

describe("worker metrics, readiness and trace context on the real Kafka and PostgreSQL", () => {
  it("serves /metrics whose counters equal what was sent, dead-lettered and emitted, and lag 0 once drained", async () => {
    const env = isolatedEnv();
    const bus = busFor(env);
    await bus.ensureTopics();
    const start = privateStart(2005);
    const tag = env.WORKER_GROUP_ID.slice(-8);
    const good: RawMessage[] = [...generateEmotes({ seed: 17, streamers: 4, start, count: 1_500 })].map(
      (m) => ({ ...m, streamerId: `obs-${tag}-${m.streamerId}` }),
    );
    const bad: [string, string][] = [
      ["not json", "not_json"],
      ["", "empty"],
      [JSON.stringify({ emote: 42, timestamp: new Date(start).toISOString() }), "invalid_emote"],
      [JSON.stringify({ emote: "🔥", timestamp: "soon" }), "invalid_timestamp"],
      [
        JSON.stringify({ emote: "🔥", timestamp: new Date(start).toISOString(), pad: "x".repeat(70_000) }),
        "too_large",
      ],
    ];
    const mixed: (RawMessage | string)[] = [];
    const expectedDlq: Record<string, number> = {};
    good.forEach((m, i) => {
      if (i % 40 === 0) {
        const [value, reason] = bad[(i / 40) % bad.length] as [string, string];
        mixed.push(value);
        expectedDlq[reason] = (expectedDlq[reason] ?? 0) + 1;
      }
      mixed.push(m);
    });
    await produceRaw(bus, mixed);

    const worker = await startWorker(env, testObservability());
    running.push(worker);
    const url = worker.probes.url;
    await waitFor(
      "everything consumed, as /metrics says",
      async () => valueOf(await scrape(url), "emote_worker_emotes_consumed_total") === mixed.length,
    );

    const expected = byId(expectedMoments(good, () => DEFAULT_SETTINGS));
    expect(expected.length).toBeGreaterThan(20);
    const out = await collect(bus, bus.topics.aggregated);
    const all = () => out.records.flatMap((r) => JSON.parse(String(r.value)) as Moment[]);
    // The surge detector's moments are counted below; the reference is the seed's rule.
    const published = () => all().filter((m) => momentKind(m) === "threshold");
    // A rebalance on a loaded machine replays a batch: its moments are published again,
    // same id and content (clients de-duplicate by id), as in the trace test below.
    await waitFor(
      "moments on aggregated-emote-data",
      () => new Set(published().map((m) => m.id)).size >= expected.length,
    );
    await out.stop();
    const distinct = new Map(published().map((m) => [m.id, m]));
    for (const m of published()) expect(m).toEqual(distinct.get(m.id));
    expect(byId([...distinct.values()])).toEqual(expected);
    const stored = await conn.db
      .select()
      .from(moments)
      .where(inArray(moments.streamerId, [...new Set(good.map((m) => m.streamerId as string))]));
    expect(stored.filter((m) => m.kind === "threshold")).toHaveLength(expected.length);

    // Once drained, Kafka has the group's commits: no lag anywhere.
    let samples: Sample[] = [];
    const lagSamples = (name: string) => samples.filter((s) => s.name === name);
    await waitFor("lag 0 on every partition", async () => {
      samples = await scrape(url);
      const lag = lagSamples("emote_worker_consumer_lag_messages");
      return lag.length === env.KAFKA_PARTITIONS && lag.every((s) => s.value === 0);
    });
    const lagSeconds = lagSamples("emote_worker_consumer_lag_seconds").sort(
      (a, b) => Number(a.labels.partition) - Number(b.labels.partition),
    );
    expect(lagSeconds.map((s) => [s.labels, s.value])).toEqual(
      Array.from({ length: env.KAFKA_PARTITIONS }, (_, p) => [
        { topic: bus.topics.raw, partition: String(p) },
        0,
      ]),
    );

    expect(valueOf(samples, "emote_worker_emotes_consumed_total")).toBe(mixed.length);
    // Counted once each: a reset (a rebalance on a loaded machine) publishes the partitions' last
    // commits again when it takes them back, the same moments at the same positions, which the
    // counter does not count again.
    expect(valueOf(samples, "emote_worker_moments_emitted_total")).toBe(
      new Set(all().map((m) => `${m.id}@${m.position}`)).size,
    );
    const dlq = Object.fromEntries(
      samples
        .filter((s) => s.name === "emote_worker_dlq_messages_total" && s.value > 0)
        .map((s) => [s.labels.reason, s.value]),
    );
    expect(dlq).toEqual(expectedDlq);
    // Every streamer batch of `interval` emotes is one analysis.
    const perStreamer = new Map<string, number>();
    for (const m of good)
      perStreamer.set(m.streamerId as string, (perStreamer.get(m.streamerId as string) ?? 0) + 1);
    const analyses = [...perStreamer.values()].reduce(
      (a, n) => a + Math.floor(n / DEFAULT_SETTINGS.interval),
      0,
    );
    expect(valueOf(samples, "emote_worker_analyses_total")).toBe(analyses);
    expect(valueOf(samples, "emote_worker_analysis_batch_duration_seconds_count")).toBeGreaterThan(0);
    expect(valueOf(samples, "emote_worker_settings_reloads_total")).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, "emote_ready")).toBe(1);
    expect(valueOf(samples, "process_cpu_seconds_total")).toBeGreaterThan(0);
  });

  it("turns /readyz 503 naming PostgreSQL alone while the database is unreachable under load, and 200 again once it is back, with every emote applied", async () => {
    const db = new URL(infra.databaseUrl);
    const proxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
    proxies.push(proxy);
    db.hostname = "127.0.0.1";
    db.port = String(proxy.port);
    const env = isolatedEnv({ DATABASE_URL: db.href });
    const worker = await startWorker(env, testObservability());
    running.push(worker);
    const readyz = async () => {
      const res = await fetch(`${worker.probes.url}/readyz`);
      return { status: res.status, body: (await res.json()) as { failing?: string[] } };
    };

    await waitFor("ready", async () => (await readyz()).status === 200);
    expect((await fetch(`${worker.probes.url}/healthz`)).status).toBe(200);

    await proxy.cut();
    let down = await readyz();
    await waitFor("503 once PostgreSQL is unreachable", async () => (down = await readyz()).status === 503);
    expect(down.body.failing).toHaveLength(1);
    expect(down.body.failing?.[0]).toMatch(/^PostgreSQL: /);
    // The driver's reason ("connect ECONNREFUSED …"), not the ORM's wrapper.
    expect(down.body.failing?.[0]).not.toContain("Failed query");

    // Emotes keep coming: the worker waits for the database inside the batch and stays in
    // its group, so Kafka is never named.
    const start = privateStart(2005);
    const emotes: RawMessage[] = [...generateEmotes({ seed: 5, streamers: 3, start, count: 600 })];
    await produceRaw(busFor(env), emotes);
    await waitFor(
      "the worker to retry the database",
      async () => valueOf(await scrape(worker.probes.url), "emote_worker_database_retries_total") >= 3,
    );
    for (let i = 0; i < 5; i++) {
      // The reason changes over an outage (connection closed, refused, no answer in 2 s).
      const { failing } = (await readyz()).body;
      expect(failing).toHaveLength(1);
      expect(failing?.[0]).toMatch(/^PostgreSQL: /);
      const samples = await scrape(worker.probes.url);
      expect(valueOf(samples, "emote_dependency_up", { dependency: "postgresql" })).toBe(0);
      expect(valueOf(samples, "emote_dependency_up", { dependency: "kafka" })).toBe(1);
      expect(valueOf(samples, "emote_worker_emotes_consumed_total")).toBe(0);
    }
    expect((await fetch(`${worker.probes.url}/healthz`)).status).toBe(200);

    await proxy.restore();
    await waitFor("200 again, without a restart", async () => (await readyz()).status === 200);
    await waitFor(
      "every emote applied",
      async () =>
        valueOf(await scrape(worker.probes.url), "emote_worker_emotes_consumed_total") === emotes.length,
    );
    const after = await scrape(worker.probes.url);
    expect(valueOf(after, "emote_ready")).toBe(1);
    expect(valueOf(after, "emote_worker_replayed_records_skipped_total")).toBe(0);
  });

  it("gives each moment the trace of the first emote counted for it, on Kafka (body and header), in PostgreSQL, in the logs and as an exported span", async () => {
    // An OTLP/HTTP collector, so the worker's spans are recorded and exported.
    const collector = await startOtlpCollector();
    const lines: string[] = [];
    const obs = createObservability(
      "emote-worker-test",
      { LOG_LEVEL: "debug", OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint },
      { write: (line: string) => void lines.push(line) },
    );

    try {
      const env = isolatedEnv();
      const bus = busFor(env);
      await bus.ensureTopics();
      const start = privateStart(2005);
      const tag = env.WORKER_GROUP_ID.slice(-8);
      const sent: RawMessage[] = [...generateEmotes({ seed: 29, streamers: 3, start, count: 900 })].map(
        (m) => ({ ...m, streamerId: `trace-${tag}-${m.streamerId}` }),
      );
      // Every third emote has no trace context: a moment whose first emote is one of them has none.
      const ids = new TraceIdSource();
      const traceparents = sent.map((_, i) => (i % 3 === 0 ? undefined : ids.traceparent()));
      await produceRaw(bus, sent, (i) => traceparents[i]);

      // Per moment id, the traceparent of the first emote of its batch, minute and emote (if any).
      const firstTrace = new Map<string, string | undefined>();
      const byStreamer = new Map<string, { m: RawMessage; tp: string | undefined }[]>();
      sent.forEach((m, i) => {
        const list = byStreamer.get(m.streamerId as string) ?? [];
        list.push({ m, tp: traceparents[i] });
        byStreamer.set(m.streamerId as string, list);
      });
      const { interval } = DEFAULT_SETTINGS;
      for (const [streamerId, list] of byStreamer) {
        for (let seq = 0; (seq + 1) * interval <= list.length; seq++) {
          const batch = list.slice(seq * interval, (seq + 1) * interval);
          const events = batch.map(({ m }) => ({ emote: m.emote, timestampMs: Date.parse(m.timestamp) }));
          for (const f of analyzeBatch(events, DEFAULT_SETTINGS)) {
            const first = batch.find(
              ({ m }) => m.emote === f.emote && minuteStart(Date.parse(m.timestamp)) === f.windowStartMs,
            );
            firstTrace.set(toMoment(streamerId, seq, f).id, first?.tp);
          }
        }
      }
      expect(firstTrace.size).toBeGreaterThan(20);
      expect([...firstTrace.values()].filter((tp) => tp !== undefined).length).toBeGreaterThan(20);

      const worker = await startWorker(env, obs);
      running.push(worker);
      await waitFor(
        "all emotes consumed",
        async () => (await worker.metrics.totals()).consumed === sent.length,
      );

      const out = await collect(bus, bus.topics.aggregated);
      const published = () =>
        out.records
          .flatMap((r) => JSON.parse(String(r.value)) as Moment[])
          .filter((m) => momentKind(m) === "threshold");
      // A rebalance on a loaded machine replays a batch: its moments are published again,
      // same id and content (clients de-duplicate by id).
      await waitFor(
        "moments on aggregated-emote-data",
        () => new Set(published().map((m) => m.id)).size >= firstTrace.size,
      );
      await out.stop();
      const distinct = new Map(published().map((m) => [m.id, m]));
      for (const m of published()) expect(m).toEqual(distinct.get(m.id));
      // The surge detector's moments (no trace context of their own) are logged too.
      const surgeIds = new Set(
        out.records
          .flatMap((r) => JSON.parse(String(r.value)) as Moment[])
          .filter((m) => m.kind === "surge")
          .map((m) => m.id),
      );
      const onKafka = byId([...distinct.values()]);
      expect(onKafka.map((m) => m.id).sort()).toEqual([...firstTrace.keys()].sort());
      for (const m of onKafka) expect(traceIdOf(m.traceparent)).toBe(traceIdOf(firstTrace.get(m.id)));
      for (const r of out.records) {
        const first = (JSON.parse(String(r.value)) as Moment[]).find((m) => m.traceparent);
        expect(r.headers?.traceparent === undefined ? undefined : String(r.headers.traceparent)).toBe(
          first?.traceparent,
        );
      }

      const rows = await conn.db
        .select()
        .from(moments)
        .where(inArray(moments.streamerId, [...byStreamer.keys()]));
      expect(byId(rows.map(rowToMoment))).toEqual(onKafka);

      const logged = lines
        .map((l) => JSON.parse(l) as { msg: string; momentId?: string; traceId?: string })
        .filter((l) => l.msg === "moment detected" && !surgeIds.has(l.momentId ?? ""));
      expect(logged.map((l) => l.momentId).sort()).toEqual([...firstTrace.keys()].sort());
      for (const l of logged) expect(l.traceId).toBe(traceIdOf(firstTrace.get(l.momentId as string)));

      // Each traced moment is a span of the worker: the child of its first emote's context.
      for (const w of running.splice(0)) await w.stop();
      await obs.tracing.shutdown();
      const spans = collector.requests.flatMap(({ body }) =>
        (
          JSON.parse(body) as {
            resourceSpans: {
              scopeSpans: {
                spans: { name: string; traceId: string; spanId: string; parentSpanId: string }[];
              }[];
            }[];
          }
        ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
      );
      const traced = onKafka.filter((m) => m.traceparent !== undefined);
      expect(spans.filter((s) => s.name === "moment detected")).toHaveLength(traced.length);
      for (const m of traced) {
        const own = parseTraceparent(m.traceparent);
        const span = spans.find((s) => s.spanId === own?.spanId);
        expect(span).toMatchObject({
          name: "moment detected",
          traceId: own?.traceId,
          parentSpanId: parseTraceparent(firstTrace.get(m.id))?.spanId,
        });
      }
    } finally {
      await collector.close();
    }
  });
});
