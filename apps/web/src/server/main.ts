import { runService } from "@emote/observability";
import { HELP, readWebEnv } from "./env.ts";
import { startWebServer } from "./web-server.ts";

/** After the WebSockets' drain: the queued emotes to Kafka, then Kafka and PostgreSQL closed. */
const CLOSE_AFTER_DRAIN_MS = 5_000;

void runService({ service: "emote-web", help: HELP, readEnv: readWebEnv }, async (env, obs, ctx) => {
  const server = await startWebServer(env, obs);
  obs.log.info({ url: server.url }, `listening on ${server.url}`);
  const timeoutMs = env.WEB_DRAIN_TIMEOUT_MS + CLOSE_AFTER_DRAIN_MS;
  await ctx.stopOn({
    doing: `draining: not ready, WebSockets told to reconnect elsewhere (1012) once their emotes are answered (at most ${timeoutMs / 1000} s)`,
    timeoutMs,
  }).requested;
  await server.close();
  return 0;
});
