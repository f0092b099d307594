#!/usr/bin/env -S npx tsx
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_TEST_DATABASE_URL,
  describeDatabaseUrl,
  envHelp,
  kafkaBrokers,
  parseEnv,
} from "@emote/config";
import { assertKafkaReachable, createKafka, ensureTopics } from "@emote/bus/kafka";
import { downLocalKafka, localKafkaStatus, upLocalKafka } from "./kafka-local.ts";
import {
  clusterStatus,
  downLocalCluster,
  knownClusters,
  localCluster,
  upLocalCluster,
} from "./kafka-cluster.ts";
import { databaseExists, ensureDatabase } from "./postgres-server.ts";
import { infraEnvSchema } from "./infra-env.ts";
import { prepareTestInfra } from "./test-env.ts";

const HELP = `Usage: npm run infra:<command>   (or: tsx tooling/infra/src/cli.ts <command>)

Commands:
  up        Start the local Kafka broker (fetching its jars with Maven on first use),
            create the topics, and create the PostgreSQL database if missing.
            With KAFKA_BROKERS set, only checks that cluster and creates the topics.
  up -- --brokers 3
            Start a local KRaft cluster of 3 nodes instead (any of 1–5): node i on
            KAFKA_PORT+i-1, its controller on KAFKA_PORT+3+i-1 (9092–9097 by default);
            replication factor 3, min.insync.replicas=2, unclean leader election off.
            Topics get the cluster's replication. Files in .cache/kafka/cluster-<port>.
  down      Stop the local Kafka broker and every local cluster started by 'up'.
  status    Say whether the local broker (and each local cluster's nodes) run and
            whether PostgreSQL answers.
  test-env  What 'npm test' runs first: 'up' for tests (database emote_test by default).

test-env defaults DATABASE_URL to ${DEFAULT_TEST_DATABASE_URL}.

${envHelp(infraEnvSchema)}
`;

const log = (line: string) => console.log(line);

/** `--brokers N` (or `--brokers=N`): how many local nodes `up` starts; 1 is the single broker. */
function brokerCount(args: string[]): number {
  const i = args.findIndex((a) => a === "--brokers" || a.startsWith("--brokers="));
  if (i < 0) return 1;
  const arg = args[i] as string;
  const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[i + 1];
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5)
    throw new Error(`--brokers wants 1 to 5, not ${value ?? "nothing"}`);
  return n;
}

async function main(command: string | undefined, args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) command = "--help";
  const kafkaEnv = parseEnv(infraEnvSchema, process.env);
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  switch (command) {
    case "up": {
      const size = brokerCount(args);
      let brokers = kafkaBrokers(kafkaEnv);
      if (kafkaEnv.KAFKA_BROKERS) {
        await assertKafkaReachable(brokers);
        log(`KAFKA_BROKERS is set: using ${brokers.join(",")} (no local broker started).`);
      } else if (size > 1) {
        const cluster = localCluster(kafkaEnv.KAFKA_PORT, size);
        await upLocalCluster(cluster, log);
        brokers = cluster.brokers;
        log(
          `Clients: KAFKA_BROKERS=${brokers.join(",")} (or KAFKA_PORT=${kafkaEnv.KAFKA_PORT} to bootstrap).`,
        );
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
      for (const cluster of knownClusters()) await downLocalCluster(cluster, log);
      return 0;
    case "status": {
      const state = await localKafkaStatus(kafkaEnv.KAFKA_PORT);
      if (kafkaEnv.KAFKA_BROKERS)
        log(`KAFKA_BROKERS=${kafkaEnv.KAFKA_BROKERS} (the local broker is not used)`);
      if (!state.running) log(`Kafka: not running on 127.0.0.1:${state.port}`);
      else if (state.foreign) {
        const ours = knownClusters().some((c) => c.nodes.some((n) => n.port === state.port));
        if (!ours) log(`Kafka: a broker not started by infra:up answers on 127.0.0.1:${state.port}`);
      } else log(`Kafka: running (pid ${state.pid}) on 127.0.0.1:${state.port}; log: ${state.logFile}`);
      for (const cluster of knownClusters()) {
        const nodes = clusterStatus(cluster)
          .map((n) => `node ${n.id} :${n.port} ${n.pid === undefined ? "stopped" : `running (pid ${n.pid})`}`)
          .join(", ");
        log(`Kafka cluster on ${cluster.basePort}: ${nodes}`);
      }
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

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`infra: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
