import { runService } from "@emote/observability";
import { HELP, readWebEnv } from "./env.ts";
import { startWebServer } from "./web-server.ts";

/** Bounded drain on SIGINT/SIGTERM: past this the process exits 1. */
const DRAIN_MS = 10_000;

void runService({ service: "emote-web", help: HELP, readEnv: readWebEnv }, async (env, obs, ctx) => {
  const server = await startWebServer(env, obs);
  obs.log.info({ url: server.url }, `listening on ${server.url}`);
  await ctx.stopOn({
    doing: `telling clients to reconnect and closing (at most ${DRAIN_MS / 1000} s)`,
    timeoutMs: DRAIN_MS,
  }).requested;
  await server.close();
  return 0;
});
