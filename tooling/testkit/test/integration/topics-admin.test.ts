import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createKafka, createMissingTopics } from "@emote/bus/kafka";
import { testInfraConfig } from "@emote/infra";

// Apps create their topics at start and use them at once; a broker that has not yet
// learnt of a topic its controller just created must not fail that start.
const infra = testInfraConfig();
const kafka = createKafka({ brokers: infra.brokers, clientId: "topics-it" });
const prefix = `it-topics-${randomUUID().slice(0, 8)}-`;
const specs = Array.from({ length: 8 }, (_, i) => ({ topic: `${prefix}${i}`, numPartitions: 6 }));

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: specs.map((s) => s.topic) }).catch(() => undefined);
  await admin.disconnect();
});

describe("createMissingTopics", () => {
  it("returns once every partition of every new topic has a leader, also when two callers race", async () => {
    const [first, second] = await Promise.all([
      createMissingTopics(kafka, specs),
      createMissingTopics(kafka, specs),
    ]);
    // Each returns the topics it saw missing: both, or only the first when the second asked
    // after they were made. Together they name every topic, and neither names another.
    const all = specs.map((s) => s.topic).sort();
    expect([...new Set([...first, ...second])].sort()).toEqual(all);
    for (const seen of [first, second]) expect(seen.every((t) => all.includes(t))).toBe(true);

    const admin = kafka.admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
    await admin.disconnect();
    expect(topics).toHaveLength(specs.length);
    for (const t of topics) {
      expect(t.partitions).toHaveLength(6);
      expect(t.partitions.every((p) => p.leader >= 0)).toBe(true);
    }

    expect(await createMissingTopics(kafka, specs)).toEqual([]);
  });
});
