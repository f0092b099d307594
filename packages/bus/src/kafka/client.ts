import { Kafka, logLevel, type KafkaConfig } from "kafkajs";
import { registerKafkaCodecs } from "./codecs/index.ts";

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs log level; its own logs are noisy at INFO during rebalances. */
  logLevel?: logLevel;
  logCreator?: KafkaConfig["logCreator"];
  /** How connections to brokers are made (tests route them through a proxy they cut). */
  socketFactory?: KafkaConfig["socketFactory"];
  /** Longest pause between retries (kafkajs's default is 30 s); a feed that must notice a returning broker soon lowers it. */
  maxRetryTimeMs?: number;
}

/** A kafkajs client that reads every codec Kafka has (see registerKafkaCodecs). */
export function createKafka(opts: KafkaClientOptions): Kafka {
  registerKafkaCodecs();
  const config: KafkaConfig = {
    brokers: opts.brokers,
    clientId: opts.clientId,
    logLevel: opts.logLevel ?? logLevel.WARN,
    connectionTimeout: 3_000,
    retry: {
      initialRetryTime: 100,
      retries: 8,
      ...(opts.maxRetryTimeMs && { maxRetryTime: opts.maxRetryTimeMs }),
    },
  };
  if (opts.logCreator) config.logCreator = opts.logCreator;
  if (opts.socketFactory) config.socketFactory = opts.socketFactory;
  return new Kafka(config);
}
