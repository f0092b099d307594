import { stopOnSignals } from "@emote/lifecycle";
import { ROLES, signToken } from "@emote/api";
import { readPulseEnv } from "./env.ts";
import { startPulse } from "./pulse.ts";

const HELP = `Usage: npm start

Runs Emote Pulse in one process: the emote generator, the analysis worker and the web
server (dashboard, API, live subscriptions) on http://127.0.0.1:3000.
Without KAFKA_BROKERS it uses an in-process bus; without DATABASE_URL an embedded
PostgreSQL (PGlite) whose data stays in .data/ (settings and history survive restarts).
Environment: PORT (3000), HOST, KAFKA_BROKERS, DATABASE_URL, PULSE_DATA_DIR (.data),
PULSE_GENERATOR_RATE (10 ticks/s, 0 = off), AUTH_SECRET, LOG_LEVEL.`;

const log = (line: string) => console.log(`[pulse] ${line}`);

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(HELP);
    return;
  }
  const env = readPulseEnv();
  const started = performance.now();
  const pulse = await startPulse(env, log);
  const tokens = await Promise.all(
    ROLES.map(async (role) => {
      const claims = role === "streamer" ? { role, streamerId: "default" } : { role };
      return `  ${role.padEnd(9)} ${await signToken(claims, env.AUTH_SECRET)}`;
    }),
  );
  console.log(
    [
      "",
      `Emote Pulse is running: ${pulse.url}  (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      `  bus: ${pulse.bus}; database: ${pulse.database}`,
      "  streamer 'default' gets simulated emotes; moments appear within seconds.",
      "",
      "Development tokens (paste one into the dashboard's sign-in field):",
      ...tokens,
      "",
      "Ctrl-C stops it.",
    ].join("\n"),
  );

  stopOnSignals({
    stop: () => pulse.stop(),
    log,
    doing: "stopping the generator, the web server and the worker",
    timeoutMs: 15_000,
  });
}

main().catch((err: unknown) => {
  console.error(`[pulse] cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
