import { describe, expect, it } from "vitest";
import { TOPICS, topicSpecs } from "./topics.ts";

describe("topicSpecs", () => {
  it("names the three contract topics with the requested partition count", () => {
    expect(topicSpecs(6)).toEqual([
      { topic: "raw-emote-data", numPartitions: 6 },
      { topic: "aggregated-emote-data", numPartitions: 6 },
      { topic: "raw-emote-data.dlq", numPartitions: 6 },
    ]);
    expect(TOPICS.dlq).toBe(`${TOPICS.raw}.dlq`);
  });
});
