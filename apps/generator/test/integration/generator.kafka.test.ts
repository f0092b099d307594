import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Kafka } from "kafkajs";
import {
  createLogger,
  createObservability,
  parseTraceparent,
  startProbeServer,
  traceIdOf,
} from "@emote/observability";
import { runGenerator } from "../../src/app.ts";
import { generateEmotes } from "../../src/emote-stream.ts";
import { createGeneratorMetrics } from "../../src/generator-metrics.ts";
import { connectProducer } from "../../src/kafka.ts";
import { parseCli } from "../../src/options.ts";
import {
  deleteTopics,
  infra,
  perKey,
  readTopic,
  testKafka,
  topicSize,
  uniqueTopic,
} from "./kafka-helpers.ts";

/** A pino logger whose lines (parsed) land in `lines`. */
function memoryLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: "generator-it",
    env: { LOG_LEVEL: "info" },
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { log, lines };
}

function optionsFrom(argv: string[], topic: string) {
  const cli = parseCli([...argv, "--topic", topic], {});
  if (cli.kind !== "run") throw new Error("unexpected --help");
  return { ...cli.options, topic };
}

const connect = (topic: string) => () =>
  connectProducer({ brokers: infra.brokers, partitions: 3, topicPrefix: "", topic });

describe("the generator against the real broker", () => {
  const kafka: Kafka = testKafka();
  const topics: string[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await deleteTopics(kafka, topics);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("--count/--seed/--start --max delivers exactly the seeded sequence, keyed by streamerId", async () => {
    const topic = uniqueTopic("seeded");
    topics.push(topic);
    const argv = [
      "--streamers",
      "4",
      "--seed",
      "11",
      "--start",
      "2025-01-15T10:00:00Z",
      "--count",
      "2500",
      "--max",
    ];
    // As the process wires it: its own registry, served on any free port (METRICS_PORT=0).
    const obs = createObservability("emote-generator", { LOG_LEVEL: "silent" });
    const probes = await startProbeServer(obs, { host: "127.0.0.1", port: 0 });
    let summary;
    let scraped: string;
    try {
      summary = await runGenerator(optionsFrom(argv, topic), {
        connect: connect(topic),
        log: obs.log,
        metrics: createGeneratorMetrics(obs.registry),
        tracing: obs.tracing,
      });
      scraped = await (await fetch(`${probes.url}/metrics`)).text();
    } finally {
      await probes.close();
    }
    expect(summary.sent).toBe(2_500);
    expect(scraped).toMatch(/^emote_generator_emotes_produced_total 2500$/m);

    const expected = [
      ...generateEmotes({ seed: 11, start: Date.parse("2025-01-15T10:00:00Z"), streamers: 4, count: 2_500 }),
    ];
    const received = await readTopic(kafka, topic, 2_500);
    expect(await topicSize(kafka, topic)).toBe(2_500);

    const got = perKey(received);
    expect([...got.keys()].sort()).toEqual(["s1", "s2", "s3", "s4"]);
    for (const [streamerId, records] of got) {
      expect(records.map((r) => JSON.parse(r.value))).toEqual(
        expected.filter((m) => m.streamerId === streamerId),
      );
      // One streamer, one partition: the key decides it.
      expect(new Set(records.map((r) => r.partition)).size).toBe(1);
    }
    // Every record carries a valid W3C traceparent, each its own trace.
    for (const r of received) expect(parseTraceparent(r.traceparent), String(r.traceparent)).toBeDefined();
    expect(new Set(received.map((r) => traceIdOf(r.traceparent))).size).toBe(2_500);
  });

  it("replays a recording in real time, keeping its gaps and skipping bad lines", async () => {
    const topic = uniqueTopic("replay");
    topics.push(topic);
    const dir = await mkdtemp(join(tmpdir(), "replay-it-"));
    dirs.push(dir);
    const file = join(dir, "chat.jsonl");
    const recorded = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await writeFile(
      file,
      [
        '{"emote":"🔥","timestamp":"2024-03-01T08:00:00.000Z"}',
        '{"emote":"👍","timestamp":"2024-03-01T08:00:00.000Z","streamerId":"s2"}',
        "{oops",
        '{"emote":"😀","timestamp":"2024-03-01T08:00:00.400Z"}',
        `{"emote":"😢","timestamp":"2024-03-01T08:00:00.800Z","streamerId":"s2","id":"kept","traceparent":"${recorded}"}`,
      ].join("\n"),
    );
    const { log, lines } = memoryLog();
    const began = performance.now();
    const summary = await runGenerator(optionsFrom(["--replay", file], topic), {
      connect: connect(topic),
      log,
    });
    const sendingMs = summary.seconds * 1000;
    expect(summary).toMatchObject({ sent: 4, skipped: 1 });
    expect(sendingMs).toBeGreaterThanOrEqual(790); // 0.8 s between the first and the last emote
    expect(performance.now() - began).toBeLessThan(10_000);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        file,
        line: 3,
        reason: "not JSON",
        msg: `${file}:3: skipped, not JSON`,
      }),
    );

    const received = await readTopic(kafka, topic, 4);
    const got = perKey(received);
    const tag = JSON.parse(got.get("default")![0]!.value).id.split("-")[1];
    expect(got.get("default")!.map((r) => JSON.parse(r.value))).toEqual([
      { emote: "🔥", timestamp: "2024-03-01T08:00:00.000Z", streamerId: "default", id: `default-${tag}-L1` },
      { emote: "😀", timestamp: "2024-03-01T08:00:00.400Z", streamerId: "default", id: `default-${tag}-L4` },
    ]);
    expect(got.get("s2")!.map((r) => JSON.parse(r.value))).toEqual([
      { emote: "👍", timestamp: "2024-03-01T08:00:00.000Z", streamerId: "s2", id: `s2-${tag}-L2` },
      { emote: "😢", timestamp: "2024-03-01T08:00:00.800Z", streamerId: "s2", id: "kept" },
    ]);
    // The recorded trace goes on; the other lines get new ones.
    expect(got.get("s2")![1]!.traceparent).toBe(recorded);
    const others = received.filter((r) => r.traceparent !== recorded);
    expect(others).toHaveLength(3);
    for (const r of others) expect(parseTraceparent(r.traceparent)).toBeDefined();
  });
});
