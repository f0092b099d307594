import { kafkaBrokers, type KafkaEnv } from "@emote/config";
import type { Kafka } from "kafkajs";
import type { Bus } from "../port.ts";
import { createKafka, type KafkaClientOptions } from "./client.ts";
import { kafkaBus } from "./kafka-bus.ts";
import { assertKafkaReachable } from "./reachability.ts";

export interface OpenKafkaBusOptions extends KafkaClientOptions {
  /** Partitions of the topics this process creates. */
  partitions: number;
  /** KAFKA_TOPIC_PREFIX. */
  topicPrefix: string;
}

/**
 * What every process does to reach Kafka: check the cluster answers (else a
 * KafkaUnavailableError that says what to start), make the client and the bus, and create
 * the contract topics if missing. `kafka` is for the few callers that need the admin.
 */
export async function openKafkaBus(opts: OpenKafkaBusOptions): Promise<{ bus: Bus; kafka: Kafka }> {
  const { partitions, topicPrefix, ...client } = opts;
  await assertKafkaReachable(client.brokers);
  const kafka = createKafka(client);
  const bus = kafkaBus(kafka, { partitions, topicPrefix });
  await bus.ensureTopics();
  return { bus, kafka };
}

/** `openKafkaBus` as a deployed process opens it: brokers, partitions and topic prefix from its env. */
export function openKafkaBusFromEnv(
  env: KafkaEnv,
  clientId: string,
  logging: Pick<KafkaClientOptions, "logCreator" | "logLevel">,
): Promise<{ bus: Bus; kafka: Kafka }> {
  return openKafkaBus({
    brokers: kafkaBrokers(env),
    clientId,
    partitions: env.KAFKA_PARTITIONS,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    ...logging,
  });
}
