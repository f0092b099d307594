import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "@emote/infra";
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
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: infra.brokers.join(","),
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
    ...env,
  };
  for (const name of Object.keys(childEnv)) if (name.startsWith("GENERATOR_")) delete childEnv[name];
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: appDir,
    env: childEnv,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Cli>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done, stdout: () => stdout };
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

  it("says what to start and exits 1 when Kafka is unreachable", async () => {
    const r = await startCli(["--count", "1"], { KAFKA_BROKERS: "127.0.0.1:1" }).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("emote-generator: Kafka is not answering at 127.0.0.1:1");
    expect(r.stderr).toContain("npm run infra:up");
    expect(r.stderr).not.toMatch(/\n\s+at /);
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
    // Stop it mid-stream, once it has demonstrably sent a good part.
    await waitFor(
      "150 emotes on the topic",
      async () => (await topicSize(kafka, topic).catch(() => 0)) >= 150,
      30_000,
      100,
    );
    run.child.kill("SIGTERM");
    const r = await run.done;
    // kafkajs may log retried errors on a freshly started broker; stderr only explains a failure.
    expect(r.code, r.stderr).toBe(0);
    const sent = Number(/done: sent (\d+) emotes/.exec(r.stdout)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(150);

    const received = await readTopic(kafka, topic, sent);
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
