import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_MESSAGE_BYTES } from "./port.ts";
import { TOPIC_CONFIG, TOPICS, topicNames, topicSpecs } from "./topics.ts";

describe("topicSpecs", () => {
  it("names the contract topics with the requested partition count", () => {
    expect(topicSpecs(6).map(({ topic, numPartitions }) => ({ topic, numPartitions }))).toEqual([
      { topic: "raw-emote-data", numPartitions: 6 },
      { topic: "aggregated-emote-data", numPartitions: 6 },
      { topic: "raw-emote-data.dlq", numPartitions: 6 },
      { topic: "emote-window-stats", numPartitions: 6 },
      { topic: "trending-partials", numPartitions: 6 },
      { topic: "trending", numPartitions: 6 },
    ]);
    expect(TOPICS.dlq).toBe(`${TOPICS.raw}.dlq`);
  });

  it("gives each topic its retention and Kafka's default largest record", () => {
    const dlq = topicSpecs(6).find((s) => s.topic === "raw-emote-data.dlq");
    expect(dlq?.config).toEqual({ "retention.ms": "604800000", "max.message.bytes": "1048588" });
    expect(topicSpecs(6).filter((s) => s.config?.["retention.ms"] === "86400000")).toHaveLength(5);
    expect(Number(TOPIC_CONFIG.raw["max.message.bytes"])).toBe(DEFAULT_MAX_MESSAGE_BYTES);
  });

  it("puts a prefix in front of every topic", () => {
    expect(topicNames("t1.")).toEqual({
      raw: "t1.raw-emote-data",
      aggregated: "t1.aggregated-emote-data",
      dlq: "t1.raw-emote-data.dlq",
      stats: "t1.emote-window-stats",
      trendingPartials: "t1.trending-partials",
      trending: "t1.trending",
    });
    expect(topicSpecs(2, "t1.").map((s) => s.topic)).toEqual(Object.values(topicNames("t1.")));
  });
});
