import { openKafkaBusFromEnv } from "@emote/bus/kafka";
import { kafkaBrokers } from "@emote/config";
import { openMigratedDatabase } from "@emote/db";
import { withDeadline } from "@emote/lifecycle";
import { errorMessage, kafkaLogging, runService, startProbeServer } from "@emote/observability";
import { HELP, readTrendingEnv } from "./env.ts";
import { runTrending } from "./trending.ts";

const PROGRESS_MS = 10_000;

void runService(
  { service: "emote-trending", help: HELP, readEnv: readTrendingEnv },
  async (env, obs, ctx) => {
    const probes = await startProbeServer(obs, { host: env.METRICS_HOST, port: env.METRICS_PORT });
    const { bus } = await openKafkaBusFromEnv(env, "emote-trending", kafkaLogging(obs.log));
    const conn = await openMigratedDatabase(env.DATABASE_URL);
    const trending = await runTrending(
      { bus, conn },
      {
        role: env.TRENDING_ROLE,
        groupId: env.TRENDING_GROUP_ID,
        sessionTimeoutMs: env.TRENDING_SESSION_TIMEOUT_MS,
        boardIntervalMs: env.TRENDING_BOARD_INTERVAL_MS,
      },
      obs,
    );
    obs.log.info(
      { role: env.TRENDING_ROLE, brokers: kafkaBrokers(env), database: conn.description },
      "trending consuming",
    );
    let last = "";
    const progress = setInterval(() => {
      const held = trending.held();
      const line = JSON.stringify(held);
      if (line !== last) obs.log.info(held, "progress");
      last = line;
    }, PROGRESS_MS);

    const stopping = ctx.stopOn({
      doing: "finishing the batches in flight and committing…",
      timeoutMs: env.TRENDING_SHUTDOWN_TIMEOUT_MS,
    });
    const failure = await Promise.race([stopping.requested.then(() => undefined), trending.stopped]);
    clearInterval(progress);
    if (failure) obs.log.fatal({ err: errorMessage(failure) }, "a consumer stopped for good: exiting with 1");
    await withDeadline(
      (async () => {
        await trending.stop();
        await probes.close();
        await conn.close();
      })(),
      env.TRENDING_SHUTDOWN_TIMEOUT_MS,
      "stopping took too long",
    );
    return failure ? 1 : 0;
  },
);
