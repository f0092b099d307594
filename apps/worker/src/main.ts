import { ConfigError } from "@emote/config";
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

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(progress);
    log(`${signal}: draining the batch in flight and committing…`);
    const timer = setTimeout(() => {
      log(`shutdown took longer than ${env.WORKER_SHUTDOWN_TIMEOUT_MS} ms; exiting without a clean close`);
      process.exit(1);
    }, env.WORKER_SHUTDOWN_TIMEOUT_MS);
    worker.stop().then(
      () => {
        clearTimeout(timer);
        log("stopped cleanly");
        process.exit(0);
      },
      (err: Error) => {
        log(`error during shutdown: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  console.error(`[worker] cannot start: ${message}`);
  process.exit(1);
});
