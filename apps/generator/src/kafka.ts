import type { BusProducer } from "@emote/bus";
import { createMissingTopics, openKafkaBus } from "@emote/bus/kafka";
import { kafkaLogging, type Logger } from "@emote/observability";

export interface KafkaTarget {
  brokers: string[];
  /** For the topics this process creates. */
  partitions: number;
  /** KAFKA_TOPIC_PREFIX: the contract topics are created under it. */
  topicPrefix: string;
  topic: string;
  /** kafkajs's own logs go here (at the logger's level); omitted: kafkajs prints them. */
  log?: Logger;
}

/**
 * Checks the cluster answers (else a KafkaUnavailableError that says what to start),
 * creates the contract topics and an overridden target topic if missing, and connects
 * the bus's idempotent, acks-all producer.
 */
export async function connectProducer(target: KafkaTarget): Promise<BusProducer> {
  const { bus, kafka } = await openKafkaBus({
    brokers: target.brokers,
    clientId: "emote-generator",
    partitions: target.partitions,
    topicPrefix: target.topicPrefix,
    ...(target.log && kafkaLogging(target.log)),
  });
  if (!(Object.values(bus.topics) as string[]).includes(target.topic)) {
    // The producer does not auto-create topics, so a --topic override is created here.
    await createMissingTopics(kafka, [{ topic: target.topic, numPartitions: target.partitions }]);
  }
  return bus.producer();
}
