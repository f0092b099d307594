import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "@emote/testkit";
import { parseTraceparent } from "@emote/observability";
import { generateEmotes } from "../../src/emote-stream.ts";
import {
  deleteTopics,
  infra,
  perKey,
  readTopic,
  testKafka,
  topicSize,
  uniqueTopic,
} from "./kafka-helpers.ts";

const appDir = fileURLToPath(new URL("../..", import.meta.url));

interface Cli {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real entry point (node + tsx, no npm in between, so signals reach it). */
function startCli(args: string[], env: Record<string, string> = {}) {
  // The developer's own GENERATOR_* settings stay out; the test's own go in.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("GENERATOR_")),
  );
  const childEnv: NodeJS.ProcessEnv = {
    ...inherited,
    KAFKA_BROKERS: infra.brokers.join(","),
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
    // Concurrent runs must not collide on the probe port: any free one, read from the log.
    METRICS_PORT: "0",
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    ...env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: appDir,
    env: childEnv,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Cli>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done, stdout: () => stdout, lines: () => logLines(stdout) };
}

type LogLine = Record<string, unknown> & { level: number; msg: string };

/** The process's JSON log lines (complete ones). */
function logLines(stdout: string): LogLine[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{") && l.endsWith("}"))
    .map((l) => JSON.parse(l) as LogLine);
}

describe("the emote-generator command", () => {
  const kafka = testKafka();
  const topics: string[] = [];
  afterAll(() => deleteTopics(kafka, topics));

  it("prints one line and exits 2 on a bad flag", async () => {
    const r = await startCli(["--rate", "zero"]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('emote-generator: --rate: must be a number (got "zero")\n');
  });

  it("prints the help and exits 0", async () => {
    const r = await startCli(["--help"]).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: emote-generator \[options\]/);
  });

  it("says what to start in one fatal log line and exits 1 when Kafka is unreachable", async () => {
    const r = await startCli(["--count", "1"], { KAFKA_BROKERS: "127.0.0.1:1" }).done;
    expect(r.code).toBe(1);
    const fatal = logLines(r.stdout).filter((l) => l.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.service).toBe("emote-generator");
    expect(fatal[0]!.msg).toContain("Kafka is not answering at 127.0.0.1:1");
    expect(fatal[0]!.msg).toContain("npm run infra:up");
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });

  it("says METRICS_PORT is in use in one fatal log line and exits 1", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await startCli(["--count", "1"], { METRICS_PORT: String(port) }).done;
      expect(r.code).toBe(1);
      const fatal = logLines(r.stdout).filter((l) => l.level === 60);
      expect(fatal.map((l) => l.msg)).toEqual([
        `failed: METRICS_PORT ${port} on 127.0.0.1 is in use; set METRICS_PORT to a free port (0 = any)`,
      ]);
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it("abandons what Kafka does not acknowledge within GENERATOR_SHUTDOWN_TIMEOUT_MS, says how many, exits 1", async () => {
    const topic = uniqueTopic("stall");
    topics.push(topic);
    const run = startCli(["--streamers", "5", "--rate", "50", "--topic", topic], {
      GENERATOR_SHUTDOWN_TIMEOUT_MS: "1000",
    });
    await waitFor(
      "emotes on the topic",
      async () => (await topicSize(kafka, topic).catch(() => 0)) > 0,
      30_000,
      100,
    );
    // With its topic gone, the producer retries without end: sends hang as if Kafka were away.
    await deleteTopics(kafka, [topic]);
    topics.splice(topics.indexOf(topic), 1);
    await waitFor("a failed send", () => run.stdout().includes("does not host this topic-partition"), 20_000);
    const signalled = performance.now();
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(performance.now() - signalled).toBeGreaterThanOrEqual(1_000);
    const abandoned = logLines(r.stdout).find((l) => "abandoned" in l);
    expect(abandoned).toMatchObject({ level: 50, timeoutMs: 1_000 });
    expect(abandoned!.abandoned).toBeGreaterThan(0);
    expect(abandoned!.msg).toBe(
      `stopping took longer than 1000 ms: ${String(abandoned!.abandoned)} pending emotes abandoned`,
    );
  });

  it("on SIGTERM sends what is due, exits 0, and the topic holds exactly the prefix it reported", async () => {
    const topic = uniqueTopic("sigterm");
    topics.push(topic);
    const start = "2025-01-15T10:00:00.000Z";
    const run = startCli([
      "--streamers",
      "5",
      "--rate",
      "20",
      "--seed",
      "21",
      "--start",
      start,
      "--topic",
      topic,
    ]);
    await waitFor("the start line", () => run.stdout().includes("generating for 5 streamers"), 20_000);
    // The probes' port, from the log line that announces them (METRICS_PORT=0).
    const probeLine = () => run.lines().find((l) => typeof l.port === "number");
    await waitFor("the probes' log line", () => probeLine() !== undefined, 20_000);
    const probes = probeLine();
    expect(probes?.url).toBe(`http://127.0.0.1:${probes?.port}`);
    // Stop it mid-stream, once it has demonstrably sent a good part.
    await waitFor(
      "150 emotes on the topic",
      async () => (await topicSize(kafka, topic).catch(() => 0)) >= 150,
      30_000,
      100,
    );
    const readyz = await fetch(`${probes!.url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({
      checks: [{ name: "kafka", label: "Kafka producer", ok: true }],
    });
    const metrics = await (await fetch(`${probes!.url}/metrics`)).text();
    const counted = Number(/^emote_generator_emotes_produced_total (\d+)$/m.exec(metrics)?.[1]);
    expect(counted).toBeGreaterThan(0);

    run.child.kill("SIGTERM");
    const r = await run.done;
    // kafkajs may log retried errors on a freshly started broker; the log explains a failure.
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = logLines(r.stdout);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 30,
        signal: "SIGTERM",
        msg: "SIGTERM: sending what is pending, then stopping",
      }),
    );
    const done = lines.find((l) => l.msg.startsWith("done: sent"));
    const sent = Number(done?.sent);
    expect(done?.msg).toContain(`done: sent ${sent} emotes`);
    expect(sent).toBeGreaterThanOrEqual(150);
    expect(sent).toBeGreaterThanOrEqual(counted);
    // The probes closed with the run.
    await expect(fetch(`${probes!.url}/healthz`)).rejects.toThrow();

    const received = await readTopic(kafka, topic, sent);
    for (const rec of received) expect(parseTraceparent(rec.traceparent)).toBeDefined();
    expect(await topicSize(kafka, topic)).toBe(sent);
    const expected = perKey(
      [...generateEmotes({ seed: 21, start: Date.parse(start), streamers: 5, rate: 20, count: sent })].map(
        (m) => ({ key: m.streamerId, m }),
      ),
    );
    for (const [key, records] of perKey(received)) {
      expect(records.map((r) => JSON.parse(r.value))).toEqual(expected.get(key)!.map((e) => e.m));
    }
  });
});
