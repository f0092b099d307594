/**
 * The one place that names Kafka topics. Every app calls `ensureTopics` at start, so a
 * fresh cluster needs no manual setup and a second start changes nothing.
 */
export const TOPICS = {
  raw: "raw-emote-data",
  aggregated: "aggregated-emote-data",
  dlq: "raw-emote-data.dlq",
  stats: "emote-window-stats",
  /** Per input partition, what a batch changed platform-wide: the trending merge's input. */
  trendingPartials: "trending-partials",
  /** Boards of the platform view, for the gateways. */
  trending: "trending",
} as const;

export type TopicNames = { [K in keyof typeof TOPICS]: string };

/**
 * The contract topics under an optional prefix (KAFKA_TOPIC_PREFIX), so tests, benchmarks
 * or tenants can share one cluster without seeing each other's data.
 */
export function topicNames(prefix = ""): TopicNames {
  return {
    raw: prefix + TOPICS.raw,
    aggregated: prefix + TOPICS.aggregated,
    dlq: prefix + TOPICS.dlq,
    stats: prefix + TOPICS.stats,
    trendingPartials: prefix + TOPICS.trendingPartials,
    trending: prefix + TOPICS.trending,
  };
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

export function topicSpecs(partitions: number, prefix = ""): TopicSpec[] {
  return Object.values(topicNames(prefix)).map((topic) => ({ topic, numPartitions: partitions }));
}
