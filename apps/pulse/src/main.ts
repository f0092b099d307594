import { resolve } from "node:path";
import { errorMessage, runService } from "@emote/observability";
import { runUntilStopped } from "@emote/worker/worker";
import { signDevTokens, writeDevTokens } from "./dev-tokens.ts";
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
  const tokens = await signDevTokens(pulse.authSecret);
  // In every mode: a start whose output goes to a file still tells where its tokens are.
  const tokensFile = await writeDevTokens(resolve(env.PULSE_DATA_DIR), tokens).then(
    (file) => {
      obs.log.info({ file }, "development tokens written (one per role, valid 12 h)");
      return file;
    },
    // Not worth stopping a running service for: the terminal (if any) and npm run token remain.
    (err: unknown) => {
      obs.log.warn({ err: errorMessage(err) }, "development tokens not written");
      return undefined;
    },
  );
  // The tokens themselves for the person at the terminal, not for a log collector.
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
        ...tokens.map((t) => `  ${t.role.padEnd(9)} ${t.token}`),
        ...(tokensFile ? [`  (also in ${tokensFile})`] : []),
        ...(pulse.authSecretFile
          ? [
              `  signed with the secret in ${pulse.authSecretFile} (npm run token signs with it when AUTH_SECRET is unset)`,
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
