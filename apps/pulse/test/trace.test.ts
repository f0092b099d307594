import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { BusConsumer } from "@emote/bus";
import { closeEmoteClient } from "@emote/api/client";
import { parseRawEmote } from "@emote/contracts";
import { testInfraConfig, waitFor } from "@emote/testkit";
import { createObservability, traceIdOf, traceparentFromHeaders } from "@emote/observability";
import { readPulseEnv } from "../src/env.ts";
import { startPulse, type RunningPulse } from "../src/pulse.ts";
import { client, nextLiveMoment } from "./live-client.ts";

const infra = testInfraConfig();
const run = randomUUID().slice(0, 8);
let pulse: RunningPulse | undefined;
let raw: BusConsumer | undefined;
afterAll(async () => {
  await raw?.disconnect();
  await pulse?.stop();
});

const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;

describe("trace context, generator to subscriber (real Kafka and PostgreSQL)", () => {
  it("a moment received by a subscriber carries the trace id one of its emotes had at the generator", async () => {
    const env = readPulseEnv({
      PORT: "0",
      KAFKA_BROKERS: infra.brokers.join(","),
      KAFKA_PARTITIONS: "2",
      KAFKA_TOPIC_PREFIX: `it-trace-${run}.`,
      DATABASE_URL: infra.databaseUrl,
      WORKER_GROUP_ID: `it-trace-worker-${run}`,
      PULSE_GENERATOR_RATE: "40",
      LOG_LEVEL: "silent",
    });
    pulse = await startPulse(env, createObservability("emote-pulse", env));
    const api = client(pulse.url);
    const moment = await nextLiveMoment(api, "default");
    await closeEmoteClient(api);
    const traceId = traceIdOf(moment.traceparent);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    // What the generator sent, read back from raw-emote-data with its headers: the trace
    // ids of the emotes of this moment's emote and minute.
    const bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "it-trace" }), {
      partitions: 2,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
    });
    const candidates = new Set<string>();
    let read = 0;
    raw = await bus.consumer({ groupId: `it-trace-reader-${run}`, topics: [bus.topics.raw] });
    await raw.run(async (batch, control) => {
      for (const r of batch.records) {
        read++;
        const e = parseRawEmote(r.value as Buffer);
        if (
          !e.ok ||
          e.value.emote !== moment.emote ||
          minute(e.value.timestampMs) !== minute(Date.parse(moment.timestamp))
        )
          continue;
        const id = traceIdOf(traceparentFromHeaders(r.headers));
        if (id) candidates.add(id);
      }
      const last = batch.records.at(-1);
      if (last) await control.commit(last.offset);
    });
    await waitFor(
      "the moment's trace id among its emotes' at the generator",
      () => candidates.has(traceId!),
      30_000,
    );
    expect(read).toBeGreaterThanOrEqual(moment.total);
  });
});
