import { connectDatabase, migrateDatabase } from "@emote/db";
import { readWebEnv } from "./env.ts";
import { createWebServer, listen } from "./http-server.ts";

const log = (line: string) => console.log(`[web] ${line}`);

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(
      "Usage: npm start -w @emote/web\n\nServes the tRPC API at /trpc and /healthz.\nEnvironment: PORT (3000), HOST (127.0.0.1), DATABASE_URL, AUTH_SECRET, LOG_LEVEL.",
    );
    return;
  }
  const env = readWebEnv();
  await migrateDatabase(env.DATABASE_URL);
  const conn = connectDatabase(env.DATABASE_URL);
  const server = createWebServer(conn.db, env.AUTH_SECRET);
  const address = await listen(server, env.PORT, env.HOST);
  log(`listening on http://${address.address}:${address.port}`);

  const shutdown = (signal: string) => {
    log(`${signal}: closing`);
    server.close(() => void conn.close().then(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  console.error(`[web] cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
