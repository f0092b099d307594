import { randomUUID } from "node:crypto";
import { afterAll, afterEach } from "vitest";
import { connectDatabase, type DatabaseConnection } from "@emote/db";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Bus, BusConsumer, IncomingRecord, OutgoingRecord } from "@emote/bus";
import { testInfraConfig } from "@emote/testkit";
import { createObservability, TRACEPARENT, type Observability } from "@emote/observability";

export { waitFor } from "@emote/testkit";
import type { ProducedEmote } from "./reference.ts";
export { byId, expectedMoments, expectedSurges, surgesById } from "./reference.ts";
import { readWorkerEnv, type WorkerEnv } from "../src/env.ts";
import type { RunningWorker } from "../src/worker.ts";

export const infra = testInfraConfig();

/**
 * What a worker test file shares: a database connection, closed after the file, and the
 * workers its tests start, stopped after each test (also after a failure or a time-out).
 */
export function workerTestState(): { conn: DatabaseConnection; running: RunningWorker[] } {
  const conn = connectDatabase(infra.databaseUrl, { max: 2 });
  const running: RunningWorker[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.stop()));
  });
  afterAll(() => conn.close());
  return { conn, running };
}

export type RawMessage = ProducedEmote;

/** Environment for a private set of topics and a private consumer group. */
export function isolatedVars(overrides: Record<string, string> = {}): Record<string, string> {
  const id = randomUUID().slice(0, 8);
  return {
    KAFKA_BROKERS: infra.brokers.join(","),
    DATABASE_URL: infra.databaseUrl,
    KAFKA_PARTITIONS: "3",
    KAFKA_TOPIC_PREFIX: `it-${id}.`,
    WORKER_GROUP_ID: `it-worker-${id}`,
    // Any free port: tests run beside each other and beside a worker on 9464.
    METRICS_PORT: "0",
    ...overrides,
  };
}

/**
 * A random minute among the 5 million from the start of `year`: a window no other test
 * run is likely to use, so the rows in `moments` of a stream from there are this run's.
 */
export function privateStart(year: number): number {
  return Date.UTC(year, 0, 1) + Math.floor(Math.random() * 5_000_000) * 60_000;
}

export function isolatedEnv(overrides: Record<string, string> = {}): WorkerEnv {
  return readWorkerEnv(isolatedVars(overrides));
}

/** A process's observability for one worker under test: its own registry and readiness, no logs. */
export function testObservability(): Observability {
  return createObservability("emote-worker-test", { LOG_LEVEL: "silent" });
}

export function busFor(env: WorkerEnv): Bus {
  return kafkaBus(createKafka({ brokers: infra.brokers, clientId: "worker-it" }), {
    partitions: env.KAFKA_PARTITIONS,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
  });
}

/** Sends raw messages (strings as they are); `traceparentOf` gives message i a `traceparent` header. */
export async function produceRaw(
  bus: Bus,
  messages: (RawMessage | string)[],
  traceparentOf?: (i: number) => string | undefined,
): Promise<void> {
  const producer = await bus.producer();
  const records = messages.map((m, i): OutgoingRecord => {
    const record: OutgoingRecord =
      typeof m === "string"
        ? { key: null, value: m }
        : { key: m.streamerId ?? "default", value: JSON.stringify(m) };
    const tp = traceparentOf?.(i);
    if (tp !== undefined) record.headers = { [TRACEPARENT]: tp };
    return record;
  });
  await producer.send([{ topic: bus.topics.raw, records }]);
  await producer.disconnect();
}

/** Collects everything on a topic from the beginning, in a throwaway group. */
export async function collect(
  bus: Bus,
  topic: string,
): Promise<{ records: IncomingRecord[]; stop(): Promise<void> }> {
  const records: IncomingRecord[] = [];
  const consumer: BusConsumer = await bus.consumer({ groupId: `it-reader-${randomUUID()}`, topics: [topic] });
  await consumer.run(async (batch, control) => {
    records.push(...batch.records);
    const last = batch.records.at(-1);
    if (last) await control.commit(last.offset);
  });
  return { records, stop: () => consumer.disconnect() };
}

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** GET /metrics of a running process, parsed (enough of the text format for prom-client's output). */
export async function scrape(baseUrl: string): Promise<Sample[]> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const samples: Sample[] = [];
  for (const line of (await res.text()).split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1] as string] = l[2] as string;
    }
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}
