/**
 * Gateway process of bench:ingest (started by ingest.ts, one per step): the real web
 * server (startWebServer) on 127.0.0.1, a random port, limits opened for thousands of
 * viewers from one address (connection rate and per-address caps off; the per-viewer
 * emote limit as set by ingest.ts). Prints `READY <port>`; SIGTERM closes it cleanly, so a
 * `--cpu-prof` profile is written. BENCH_EMOTES_PATH=stock answers emotes.send through
 * tRPC's adapters instead of the fast paths (the comparison).
 */
import { DEV_AUTH_SECRET } from "@emote/config";
import { createObservability } from "@emote/observability";
import { readWebEnv } from "../src/server/env.ts";
import { startWebServer } from "../src/server/web-server.ts";

const env = readWebEnv({
  AUTH_SECRET: DEV_AUTH_SECRET,
  ...process.env,
  PORT: "0",
  HOST: "127.0.0.1",
  RATE_LIMIT_CONNECTIONS_PER_MINUTE: "0",
  WS_MAX_CONNECTIONS_PER_ADDRESS: "1000000",
  HTTP_IDLE_TIMEOUT_MS: "120000",
});
// Warnings only: stdout also carries the READY line ingest.ts looks for.
const obs = createObservability("emote-web-bench", { LOG_LEVEL: "warn", LOG_FORMAT: "json" });
const server = await startWebServer(env, obs, {
  emotesPath: process.env.BENCH_EMOTES_PATH === "stock" ? "stock" : "direct",
});
console.log(`READY ${server.port}`);
process.once("SIGTERM", () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
