import { stopOnSignals } from "@emote/lifecycle";
import { readWebEnv } from "./env.ts";
import { startWebServer } from "./web-server.ts";

const HELP = `Usage: npm start -w @emote/web

Serves the dashboard, the tRPC API over HTTP at /trpc, its subscriptions over WebSocket
at /trpc, and /healthz, all on one port. Environment: PORT (3000), HOST (127.0.0.1),
DATABASE_URL, KAFKA_BROKERS, KAFKA_PORT, KAFKA_TOPIC_PREFIX, AUTH_SECRET, ALLOWED_ORIGINS,
WEB_STATIC_DIR (apps/web/dist), LOG_LEVEL.`;

const log = (line: string) => console.log(`[web] ${line}`);

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(HELP);
    return;
  }
  const server = await startWebServer(readWebEnv(), log);
  log(`listening on ${server.url}`);

  stopOnSignals({
    stop: () => server.close(),
    log,
    doing: "telling clients to reconnect and closing",
    timeoutMs: 10_000,
  });
}

main().catch((err: unknown) => {
  console.error(`[web] cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
