#!/usr/bin/env -S npx tsx
import {
  DEFAULT_DATABASE_URL,
  describeDatabaseUrl,
  kafkaBrokers,
  kafkaEnvSchema,
  parseEnv,
} from "@emote/config";
import { assertKafkaReachable, createKafka, ensureTopics } from "@emote/bus/kafka";
import { downLocalKafka, localKafkaStatus, upLocalKafka } from "./kafka-local.ts";
import { databaseExists, ensureDatabase } from "./postgres-server.ts";
import { prepareTestInfra } from "./test-env.ts";

const HELP = `Usage: npm run infra:<command>   (or: tsx tooling/infra/src/cli.ts <command>)

Commands:
  up        Start the local Kafka broker (fetching its jars with Maven on first use),
            create the topics, and create the PostgreSQL database if missing.
            With KAFKA_BROKERS set, only checks that cluster and creates the topics.
  down      Stop the local Kafka broker started by 'up'.
  status    Say whether the local broker runs and whether PostgreSQL answers.
  test-env  What 'npm test' runs first: 'up' for tests (database emote_test by default).

Environment:
  KAFKA_BROKERS     external cluster, comma-separated host:port (default: the local broker)
  KAFKA_PORT        port of the local broker (default 9092; its controller uses the next port)
  KAFKA_PARTITIONS  partitions per topic when creating topics (default 6)
  DATABASE_URL      PostgreSQL URL (default ${DEFAULT_DATABASE_URL})
`;

const log = (line: string) => console.log(line);

async function main(command: string | undefined): Promise<number> {
  const kafkaEnv = parseEnv(kafkaEnvSchema, process.env);
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  switch (command) {
    case "up": {
      const brokers = kafkaBrokers(kafkaEnv);
      if (kafkaEnv.KAFKA_BROKERS) {
        await assertKafkaReachable(brokers);
        log(`KAFKA_BROKERS is set: using ${brokers.join(",")} (no local broker started).`);
      } else {
        await upLocalKafka(kafkaEnv.KAFKA_PORT, log);
      }
      const created = await ensureTopics(
        createKafka({ brokers, clientId: "emote-infra" }),
        kafkaEnv.KAFKA_PARTITIONS,
      );
      log(created.length > 0 ? `Created topics: ${created.join(", ")}` : "Topics exist.");
      const dbCreated = await ensureDatabase(databaseUrl);
      log(
        `PostgreSQL answers; database ${describeDatabaseUrl(databaseUrl)} ${dbCreated ? "created" : "exists"}.`,
      );
      return 0;
    }
    case "down":
      await downLocalKafka(log);
      return 0;
    case "status": {
      const state = await localKafkaStatus(kafkaEnv.KAFKA_PORT);
      if (kafkaEnv.KAFKA_BROKERS)
        log(`KAFKA_BROKERS=${kafkaEnv.KAFKA_BROKERS} (the local broker is not used)`);
      if (!state.running) log(`Kafka: not running on 127.0.0.1:${state.port}`);
      else if (state.foreign)
        log(`Kafka: a broker not started by infra:up answers on 127.0.0.1:${state.port}`);
      else log(`Kafka: running (pid ${state.pid}) on 127.0.0.1:${state.port}; log: ${state.logFile}`);
      try {
        const exists = await databaseExists(databaseUrl);
        log(
          `PostgreSQL: answering; database ${describeDatabaseUrl(databaseUrl)} ${exists ? "exists" : "missing (infra:up creates it)"}`,
        );
      } catch (err) {
        log(`PostgreSQL: ${(err as Error).message}`);
      }
      return 0;
    }
    case "test-env":
      await prepareTestInfra(log);
      return 0;
    case "--help":
    case "-h":
    case "help":
      console.log(HELP);
      return 0;
    default:
      console.error(`Unknown command: ${command ?? "(none)"}\n\n${HELP}`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`infra: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
