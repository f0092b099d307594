import {
  DEFAULT_TEST_DATABASE_URL,
  describeDatabaseUrl,
  kafkaBrokers,
  kafkaEnvSchema,
  parseEnv,
} from "@emote/config";
import { assertKafkaReachable } from "@emote/bus/kafka";
import { upLocalKafka, type Log } from "./kafka-local.ts";
import { ensureDatabase } from "./postgres-server.ts";

/** What integration tests connect to: the configured services, or the local ones. */
export interface TestInfra {
  brokers: string[];
  databaseUrl: string;
  partitions: number;
  /** Set when tests use the local broker that `infra:up` manages. */
  localKafkaPort?: number;
}

export function testInfraConfig(env: Record<string, string | undefined> = process.env): TestInfra {
  const kafka = parseEnv(kafkaEnvSchema, env);
  const infra: TestInfra = {
    brokers: kafkaBrokers(kafka),
    databaseUrl: env.DATABASE_URL || DEFAULT_TEST_DATABASE_URL,
    partitions: kafka.KAFKA_PARTITIONS,
  };
  if (!kafka.KAFKA_BROKERS) infra.localKafkaPort = kafka.KAFKA_PORT;
  return infra;
}

/**
 * Makes the test infrastructure available: starts (or reuses) the local broker when
 * KAFKA_BROKERS is unset, checks a configured cluster answers, and creates the test
 * database. Fails fast with a message saying what to start, never skips.
 */
export async function prepareTestInfra(log: Log, infra = testInfraConfig()): Promise<TestInfra> {
  if (infra.localKafkaPort !== undefined) await upLocalKafka(infra.localKafkaPort, log);
  else await assertKafkaReachable(infra.brokers);
  if (await ensureDatabase(infra.databaseUrl))
    log(`Created test database ${describeDatabaseUrl(infra.databaseUrl)}`);
  return infra;
}
