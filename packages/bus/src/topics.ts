/**
 * The one place that names Kafka topics. Every app calls `ensureTopics` at start, so a
 * fresh cluster needs no manual setup and a second start changes nothing.
 */
export const TOPICS = {
  raw: "raw-emote-data",
  aggregated: "aggregated-emote-data",
  dlq: "raw-emote-data.dlq",
} as const;
export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSpec {
  topic: TopicName;
  numPartitions: number;
}

export function topicSpecs(partitions: number): TopicSpec[] {
  return Object.values(TOPICS).map((topic) => ({ topic, numPartitions: partitions }));
}
