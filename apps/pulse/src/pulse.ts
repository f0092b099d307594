import { resolve } from "node:path";
import { openKafkaBus } from "@emote/bus/kafka";
import { memoryBus, type FirstOffset } from "@emote/bus/memory";
import { topicNames, type Bus } from "@emote/bus";
import { kafkaBrokers } from "@emote/config";
import { loadStoredNextOffsets, loadTrendingNextOffsets, openDatabase, type Database } from "@emote/db";
import { runGenerator } from "@emote/generator/app";
import { createGeneratorMetrics } from "@emote/generator/metrics";
import { parseCli, type GeneratorOptions } from "@emote/generator/options";
import { errorMessage, kafkaLogging, type Observability } from "@emote/observability";
import { runWebServer, webServerOptions } from "@emote/web/server";
import { runTrending } from "@emote/trending/trending";
import { runWorker, timelineOptions } from "@emote/worker/worker";
import { pulseAuthSecret } from "./auth-secret-file.ts";
import { trendingGroupId, workerGroupId, type PulseEnv } from "./env.ts";

/**
 * The in-process bus forgets its records on stop, but the worker's checkpoints stay in the
 * database: a new bus numbering from 0 again would have every new emote skipped as already
 * applied. It continues after the furthest stored checkpoint instead.
 */
async function storedNextOffsets(db: Database, topic: string): Promise<FirstOffset[]> {
  const stored = await loadStoredNextOffsets(db, topic);
  return stored.map((s) => ({ topic, partition: s.partition, offset: Number(s.nextOffset) }));
}

/** The same for the trending stage's inputs: its checkpoints are in trending_checkpoints. */
async function trendingNextOffsets(db: Database, topics: string[]): Promise<FirstOffset[]> {
  const all = await Promise.all(
    topics.map(async (topic) =>
      (await loadTrendingNextOffsets(db, topic)).map((s) => ({
        topic,
        partition: s.partition,
        offset: s.nextOffset,
      })),
    ),
  );
  return all.flat();
}

/** The generator's defaults (the original system's stream for streamer "default"), at `rate`. */
/** Simulated viewers of the built-in simulator: their crowds make the surges the dashboard highlights. */
const SIMULATED_VIEWERS = 200;

function generatorOptions(rate: number): GeneratorOptions {
  const cli = parseCli(["--rate", String(rate), "--viewers", String(SIMULATED_VIEWERS)], {});
  if (cli.kind !== "run") throw new Error("the generator's options did not parse");
  return cli.options;
}

export interface RunningPulse {
  url: string;
  /** What runs underneath, for the start-up message. */
  bus: string;
  database: string;
  /** The secret tokens are signed with (main prints tokens with it). */
  authSecret: string;
  /** Where it is kept, when the embedded mode made it. */
  authSecretFile: string | undefined;
  /** Settles if the worker's consumer stops for good: main then exits with 1 (runUntilStopped). */
  stopped: Promise<Error>;
  stop(): Promise<void>;
}

/**
 * Everything in one process: the generator, the worker and the web server, wired to the
 * in-process bus and the embedded PostgreSQL — or to Kafka (KAFKA_BROKERS) and PostgreSQL
 * (DATABASE_URL) when configured. Only the adapters differ; the apps' code is the same.
 */
export async function startPulse(env: PulseEnv, obs: Observability): Promise<RunningPulse> {
  // First: a refused secret stops the start before anything is opened.
  const auth = await pulseAuthSecret(env, env.HOST, resolve(env.PULSE_DATA_DIR));
  const conn = await openDatabase({
    url: env.DATABASE_URL,
    dataDir: resolve(env.PULSE_DATA_DIR, "postgres"),
  });
  await conn.migrate();

  let bus: Bus;
  let busName: string;
  if (env.KAFKA_BROKERS) {
    const brokers = kafkaBrokers(env);
    ({ bus } = await openKafkaBus({
      brokers,
      clientId: "emote-pulse",
      partitions: env.KAFKA_PARTITIONS,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      ...kafkaLogging(obs.log),
    }));
    busName = `Kafka at ${brokers.join(",")}`;
  } else {
    const topics = topicNames(env.KAFKA_TOPIC_PREFIX);
    bus = memoryBus({
      partitions: env.KAFKA_PARTITIONS,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      firstOffsets: [
        ...(await storedNextOffsets(conn.db, topics.raw)),
        ...(await trendingNextOffsets(conn.db, [topics.stats, topics.aggregated])),
      ],
    });
    busName = "the in-process bus";
    await bus.ensureTopics();
  }

  const worker = await runWorker(
    { bus, conn },
    // One process: parse and detect surges on the main thread, leave the other core to the web server.
    {
      groupId: workerGroupId(env),
      concurrency: 3,
      sessionTimeoutMs: 30_000,
      parseThread: false,
      surgeThread: false,
      ...timelineOptions(env),
    },
    obs,
  );
  // The platform view: the trending stage's partial step and merge on the same bus.
  const trending = await runTrending(
    { bus, conn },
    { role: "all", groupId: trendingGroupId(env), sessionTimeoutMs: 30_000, concurrency: 2 },
    obs,
  );
  const web = await runWebServer({ bus, conn }, webServerOptions(env, auth.secret), obs);

  const generatorStop = new AbortController();
  const generator =
    env.PULSE_GENERATOR_RATE > 0
      ? runGenerator(
          { ...generatorOptions(env.PULSE_GENERATOR_RATE), topic: bus.topics.raw },
          {
            connect: () => bus.producer(),
            // Its progress lines would drown the start-up message; warnings still show.
            log: obs.log.child(
              { component: "generator" },
              { level: env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL },
            ),
            metrics: createGeneratorMetrics(obs.registry),
            tracing: obs.tracing,
            signal: generatorStop.signal,
          },
        ).catch((err: unknown) => obs.log.error({ err: errorMessage(err) }, "generator stopped"))
      : Promise.resolve();

  return {
    url: web.url,
    bus: busName,
    database: conn.description,
    authSecret: auth.secret,
    authSecretFile: auth.file,
    stopped: Promise.race([worker.stopped, trending.stopped]),
    async stop() {
      generatorStop.abort();
      await generator;
      await web.close();
      await worker.stop();
      await trending.stop();
      await conn.close();
    },
  };
}
