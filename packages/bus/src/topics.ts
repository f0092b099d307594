import { DEFAULT_MAX_MESSAGE_BYTES } from "./port.ts";

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

const HOUR_MS = 3_600_000;
const MAX_BYTES = String(DEFAULT_MAX_MESSAGE_BYTES);

/**
 * What each topic keeps and takes, as Kafka topic configs. Processes create missing topics with
 * them, and deploy/k8s's KafkaTopics must say the same (tooling/k8s-check compares them). Work
 * topics keep a day, the broker default of `npm run infra:up`: the moment log and the checkpoints
 * live in PostgreSQL, so replay never reaches further back. The DLQ keeps a week, for an operator
 * to read a dead letter's headers after a weekend. Records stay within Kafka's default maximum,
 * which the producers read back from the topic (`maxMessageBytes`).
 */
export const TOPIC_CONFIG: { [K in keyof typeof TOPICS]: Record<string, string> } = {
  raw: { "retention.ms": String(24 * HOUR_MS), "max.message.bytes": MAX_BYTES },
  aggregated: { "retention.ms": String(24 * HOUR_MS), "max.message.bytes": MAX_BYTES },
  dlq: { "retention.ms": String(7 * 24 * HOUR_MS), "max.message.bytes": MAX_BYTES },
  stats: { "retention.ms": String(24 * HOUR_MS), "max.message.bytes": MAX_BYTES },
  trendingPartials: { "retention.ms": String(24 * HOUR_MS), "max.message.bytes": MAX_BYTES },
  trending: { "retention.ms": String(24 * HOUR_MS), "max.message.bytes": MAX_BYTES },
};

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
  /** Topic configs to create it with (`TOPIC_CONFIG` for the contract topics); none: the broker's defaults. */
  config?: Record<string, string>;
}

export function topicSpecs(partitions: number, prefix = ""): TopicSpec[] {
  const names = topicNames(prefix);
  return (Object.keys(names) as (keyof TopicNames)[]).map((key) => ({
    topic: names[key],
    numPartitions: partitions,
    config: TOPIC_CONFIG[key],
  }));
}
