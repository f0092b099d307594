import { randomUUID } from "node:crypto";
import type { Bus, BusConsumer } from "@emote/bus";
import { aggregatedMessageSchema, trendingBoardSchema, windowStatsSchema } from "@emote/contracts";
import type { Counter, Logger } from "@emote/observability";
import type { LiveHub } from "./live-hub.ts";
import type { TrendingBoards } from "./trending-boards.ts";

export interface LiveFeeds {
  consumer: BusConsumer;
  /** This server's own consumer group (named by its readiness check). */
  groupId: string;
}

/**
 * Feeds the hub from `aggregated-emote-data` and `emote-window-stats`, and the boards
 * from `trending`. Each server
 * instance uses a consumer group of its own, so every instance sees every moment; it
 * starts at the end of the topics (history comes from PostgreSQL). Moments keep the
 * traceparent the worker gave them (an optional field of the contract).
 */
export async function consumeLiveFeeds(
  bus: Bus,
  hub: Pick<LiveHub, "publishMoments" | "publishStats">,
  { log, momentsReceived, boards }: { log: Logger; momentsReceived: Counter; boards?: TrendingBoards },
): Promise<LiveFeeds> {
  const groupId = `emote-web-${randomUUID()}`;
  const consumer = await bus.consumer({
    groupId,
    topics: [bus.topics.aggregated, bus.topics.stats, ...(boards ? [bus.topics.trending] : [])],
    fromBeginning: false,
    concurrency: 2,
    // Where kafkajs's own restart begins reading again: replayed moments the hub drops by
    // position; replayed window stats are sent again, and newer ones follow them.
    commitIntervalMs: 1_000,
  });
  const joined = new Promise<void>((resolve) => consumer.onRebalance(resolve));
  await consumer.run(async (batch, control) => {
    for (const record of batch.records) {
      let json: unknown;
      try {
        json = JSON.parse(String(record.value));
      } catch {
        log.warn({ topic: batch.topic, offset: record.offset }, "skipped a record that is not JSON");
        continue;
      }
      if (batch.topic === bus.topics.aggregated) {
        const moments = aggregatedMessageSchema.safeParse(json);
        if (moments.success) {
          // Counted after de-duplication: a worker that crashed may publish a moment again.
          momentsReceived.inc(hub.publishMoments(moments.data));
        } else log.warn({ topic: batch.topic, offset: record.offset }, "skipped an invalid record");
      } else if (batch.topic === bus.topics.trending) {
        const board = trendingBoardSchema.safeParse(json);
        if (board.success) boards?.offer(board.data);
        else log.warn({ topic: batch.topic, offset: record.offset }, "skipped an invalid record");
      } else {
        const stats = windowStatsSchema.safeParse(json);
        if (stats.success) {
          // Viewer sketches are for the trending stage: the dashboard's live chart shows counts.
          const { viewers: _sketches, ...counts } = stats.data;
          hub.publishStats(counts);
        } else log.warn({ topic: batch.topic, offset: record.offset }, "skipped an invalid record");
      }
    }
    const last = batch.records.at(-1);
    if (last) await control.commit(last.offset);
  });
  // The group starts at the end of the topics: only once it has joined is nothing missed.
  await joined;
  log.debug({ groupId }, "joined the live feeds");
  return { consumer, groupId };
}
