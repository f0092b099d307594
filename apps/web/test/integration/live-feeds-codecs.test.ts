import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Moment, WindowStats } from "@emote/contracts";
import { testInfraConfig, waitFor } from "@emote/testkit";
import { produceWithJavaClient, type KafkaCompression } from "@emote/testkit/java-producer";
import { Counter, createObservability, createRegistry } from "@emote/observability";
import { consumeLiveFeeds, type LiveFeeds } from "../../src/server/live/live-feeds.ts";

const infra = testInfraConfig();
let feeds: LiveFeeds | undefined;
afterAll(async () => {
  await feeds?.consumer.disconnect();
});

const CODECS: KafkaCompression[] = ["gzip", "snappy", "lz4", "zstd"];

describe("the gateway's live feeds read batches of every codec a Java producer writes", () => {
  // Its own bounds: the Java producer up to 120 s, the wait 60 s more. The package's 30 s default
  // timed out a loaded CI run before either (the runs before took 28 s and 14 s).
  it("receives every moment of compressed aggregated-emote-data batches", async () => {
    const bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "live-feeds-codecs-it" }), {
      partitions: 1,
      topicPrefix: `it-feeds-${randomUUID().slice(0, 8)}.`,
    });
    await bus.ensureTopics();
    const received: Moment[] = [];
    const hub = {
      publishMoments(moments: readonly Moment[]) {
        received.push(...moments);
        return moments.length;
      },
      publishStats(_: WindowStats) {},
    };
    const obs = createObservability("emote-web-test", { LOG_LEVEL: "silent" });
    const momentsReceived = new Counter({ name: "t", help: "t", registers: [createRegistry()] });
    feeds = await consumeLiveFeeds(bus, hub, { log: obs.log, momentsReceived });

    // Per codec, three records of two moments each, as the worker publishes them.
    const sent = CODECS.flatMap((compression) =>
      Array.from({ length: 3 }, (_, r) =>
        Array.from({ length: 2 }, (_, m): Moment => ({
          id: `${compression}-${r}-${m}`,
          streamerId: `feeds-${compression}`,
          emote: "🔥",
          timestamp: new Date(Date.UTC(2006, 0, 1, 0, r * 2 + m)).toISOString(),
          count: 30 + m,
          total: 40,
          ratio: (30 + m) / 40,
        })),
      ).map((moments) => ({ compression, moments })),
    );
    await produceWithJavaClient(
      infra.brokers,
      sent.map(({ compression, moments }) => ({
        topic: bus.topics.aggregated,
        compression,
        key: moments[0]?.streamerId ?? "",
        value: JSON.stringify(moments),
      })),
    );

    const all = sent.flatMap((s) => s.moments);
    await waitFor("every moment received", () => received.length >= all.length, 60_000);
    const byId = (ms: Moment[]) => [...ms].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(received)).toEqual(byId(all));
  }, 180_000);
});
