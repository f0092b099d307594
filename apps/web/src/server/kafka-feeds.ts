import { randomUUID } from "node:crypto";
import type { Bus, BusConsumer } from "@emote/bus";
import { aggregatedMessageSchema, windowStatsSchema } from "@emote/contracts";
import type { LiveHub } from "./live-hub.ts";

/**
 * Feeds the hub from `aggregated-emote-data` and `emote-window-stats`. Each server
 * instance uses a consumer group of its own, so every instance sees every moment; it
 * starts at the end of the topics (history comes from PostgreSQL).
 */
export async function consumeLiveFeeds(
  bus: Bus,
  hub: LiveHub,
  log: (line: string) => void,
): Promise<BusConsumer> {
  const consumer = await bus.consumer({
    groupId: `emote-web-${randomUUID()}`,
    topics: [bus.topics.aggregated, bus.topics.stats],
    fromBeginning: false,
    concurrency: 2,
  });
  const joined = new Promise<void>((resolve) => consumer.onRebalance(resolve));
  await consumer.run(async (batch, control) => {
    for (const record of batch.records) {
      let json: unknown;
      try {
        json = JSON.parse(String(record.value));
      } catch {
        log(`skipped a record of ${batch.topic} that is not JSON (offset ${record.offset})`);
        continue;
      }
      if (batch.topic === bus.topics.aggregated) {
        const moments = aggregatedMessageSchema.safeParse(json);
        if (moments.success) hub.publishMoments(moments.data);
        else log(`skipped an invalid record of ${batch.topic} (offset ${record.offset})`);
      } else {
        const stats = windowStatsSchema.safeParse(json);
        if (stats.success) hub.publishStats(stats.data);
        else log(`skipped an invalid record of ${batch.topic} (offset ${record.offset})`);
      }
    }
    const last = batch.records.at(-1);
    if (last) await control.commit(last.offset);
  });
  // The group starts at the end of the topics: only once it has joined is nothing missed.
  await joined;
  return consumer;
}
