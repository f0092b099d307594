import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createKafka } from "@emote/bus/kafka";
import { topicNames } from "@emote/bus";
import { afterEach, describe, expect, it } from "vitest";
import { testInfraConfig } from "@emote/infra";
import { childProcesses } from "./child-processes.ts";
import { waitFor } from "./wait-for.ts";

export interface ConsumingEntryPoint {
  /** How the describe block names it: "the worker". */
  who: string;
  /** The package directory and the entry file in it, run with tsx. */
  cwd: string;
  entry: string;
  /** Variables of the run besides Kafka, PostgreSQL, the topic prefix and LOG_FORMAT=json. */
  vars: Record<string, string>;
  /** The base URL of its /readyz, from one of its JSON log lines (undefined: not this line). */
  probesUrl: (line: { msg?: string; url?: string }) => string | undefined;
  /** Longest time from /readyz failing to the exit it promises. */
  exitWithinMs: number;
}

/**
 * A consumer that stops for good must not leave a live-looking process behind. Made to
 * happen for real: the DLQ topic is created with a `max.message.bytes` too small for any
 * dead letter, so the first bad record can be neither analysed nor dead-lettered. The
 * real entry point must then fail /readyz naming it and exit non-zero in bounded time.
 */
export function describeConsumerStop(app: ConsumingEntryPoint): void {
  describe(`${app.who} whose consumer stops for good`, () => {
    const children = childProcesses();
    afterEach(() => children.killAll());
    it("fails /readyz saying so, and exits with 1 in bounded time", async () => {
      const infra = testInfraConfig();
      const prefix = `stop-${randomUUID().slice(0, 8)}.`;
      const topics = topicNames(prefix);
      const kafka = createKafka({ brokers: infra.brokers, clientId: "consumer-stop-it" });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          {
            topic: topics.dlq,
            numPartitions: 1,
            configEntries: [{ name: "max.message.bytes", value: "1200" }],
          },
          { topic: topics.raw, numPartitions: 1 },
        ],
      });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: topics.raw, acks: -1, messages: [{ key: "s1", value: "{not json" }] });
      await producer.disconnect();

      const child = children.track(
        spawn(process.execPath, ["--import", "tsx", app.entry], {
          cwd: app.cwd,
          env: {
            PATH: process.env.PATH,
            KAFKA_BROKERS: infra.brokers.join(","),
            KAFKA_PARTITIONS: "1",
            KAFKA_TOPIC_PREFIX: prefix,
            DATABASE_URL: infra.databaseUrl,
            LOG_FORMAT: "json",
            ...app.vars,
          },
          stdio: ["ignore", "pipe", "pipe"],
        }),
      );
      const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      let url: string | undefined;
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        for (const line of out.split("\n").slice(0, -1)) {
          try {
            url ??= app.probesUrl(JSON.parse(line) as { msg?: string; url?: string });
          } catch {
            // Not a log line (a banner): not the one with the URL.
          }
        }
      });
      try {
        await waitFor("its probes URL", () => url !== undefined, 60_000);
        let body = "";
        await waitFor(
          "/readyz to fail naming the stopped consumer",
          async () => {
            const res = await fetch(`${url}/readyz`).catch(() => undefined);
            body = res ? await res.text() : "";
            return res?.status === 503 && body.includes("stopped for good");
          },
          60_000,
        );
        const failedAt = performance.now();
        const code = await Promise.race([
          exit,
          new Promise<"still running">((resolve) =>
            setTimeout(() => resolve("still running"), app.exitWithinMs),
          ),
        ]);
        expect({ code, body: body.includes("can be neither") || body.includes("DLQ") }).toEqual({
          code: 1,
          body: true,
        });
        expect(performance.now() - failedAt).toBeLessThan(app.exitWithinMs);
      } finally {
        child.kill("SIGKILL");
      }
    });
  });
}
