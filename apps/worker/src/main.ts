import { ConfigError } from "@emote/config";
import { stopOnSignals } from "@emote/lifecycle";
import { readWorkerEnv } from "./env.ts";
import { startWorker } from "./worker.ts";

const HELP = `Usage: npm start -w @emote/worker

Consumes raw-emote-data, finds significant moments per streamer, publishes them to
aggregated-emote-data and stores them in PostgreSQL. Configuration is by environment:
  KAFKA_BROKERS, KAFKA_PORT (9092), KAFKA_PARTITIONS (6), KAFKA_TOPIC_PREFIX (""),
  DATABASE_URL (postgres://postgres@127.0.0.1:5432/emote), WORKER_GROUP_ID (emote-worker),
  WORKER_CONCURRENCY (3), WORKER_SESSION_TIMEOUT_MS (30000),
  WORKER_SHUTDOWN_TIMEOUT_MS (15000), LOG_LEVEL (info)`;

const log = (line: string) => console.log(`[worker] ${line}`);

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(HELP);
    return;
  }
  const env = readWorkerEnv();
  const worker = await startWorker(env, log);

  let last = "";
  const progress = setInterval(() => {
    const c = worker.counters;
    const line = `consumed ${c.consumed}, analyses ${c.analyses}, moments ${c.moments}, dead-lettered ${c.deadLettered}`;
    if (line !== last) log(line);
    last = line;
  }, 10_000);

  stopOnSignals({
    stop: async () => {
      clearInterval(progress);
      await worker.stop();
    },
    log,
    doing: "draining the batch in flight and committing…",
    timeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  console.error(`[worker] cannot start: ${message}`);
  process.exit(1);
});
