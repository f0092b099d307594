import { ROLES, signToken } from "@emote/api";
import { runService } from "@emote/observability";
import { runUntilStopped } from "@emote/worker/worker";
import { HELP, readPulseEnv } from "./env.ts";
import { startPulse } from "./pulse.ts";

void runService({ service: "emote-pulse", help: HELP, readEnv: readPulseEnv }, async (env, obs, ctx) => {
  const started = performance.now();
  const pulse = await startPulse(env, obs);
  const stopping = ctx.stopOn({
    doing: "stopping the generator, the web server and the worker",
    timeoutMs: 15_000,
  });
  const readyInSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  obs.log.info({ url: pulse.url, bus: pulse.bus, database: pulse.database, readyInSeconds }, "running");
  const tokens = await Promise.all(
    ROLES.map(async (role) => {
      const claims = role === "streamer" ? { role, streamerId: "default", sub: role } : { role, sub: role };
      return `  ${role.padEnd(9)} ${await signToken(claims, pulse.authSecret)}`;
    }),
  );
  // For the person at the terminal, not for a log collector.
  if (process.stdout.isTTY) {
    process.stdout.write(
      [
        "",
        `Emote Pulse is running: ${pulse.url}  (ready in ${readyInSeconds} s)`,
        `  bus: ${pulse.bus}; database: ${pulse.database}`,
        "  streamer 'default' gets simulated emotes; moments appear within seconds.",
        `  probes: ${pulse.url}/metrics, /healthz, /readyz`,
        "",
        "Development tokens (paste one into the dashboard's sign-in field; valid 12 h):",
        ...tokens,
        ...(pulse.authSecretFile
          ? [
              `  signed with the secret in ${pulse.authSecretFile} (npm run token: AUTH_SECRET=$(cat ${pulse.authSecretFile}))`,
            ]
          : []),
        "",
        "Ctrl-C stops it.",
        "",
      ].join("\n"),
    );
  }

  // As the distributed worker does (WORKER_STOPPED_EXIT_MS there): /readyz fails, then exit 1.
  return runUntilStopped(pulse, {
    requested: stopping.requested,
    log: obs.log,
    graceMs: 5_000,
    stopTimeoutMs: 15_000,
  });
});
