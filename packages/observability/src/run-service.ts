import type { ObservabilityEnv } from "@emote/config";
import { runMain, type MainContext } from "@emote/lifecycle";
import { createFallbackLogger } from "./logger.ts";
import { createObservability, flushTraces, type Observability } from "./process-observability.ts";

export interface ServiceSpec<Env extends ObservabilityEnv> {
  /** The logger's `service` ("emote-worker"), also the process's name on stderr. */
  service: string;
  /** Printed on --help or -h. */
  help: string;
  /** Reads and validates the environment; what it throws is the `cannot start` line. */
  readEnv: () => Env;
}

/**
 * `runMain` for a service process: reads its environment (a failure goes through the
 * fallback logger), makes its Observability (its logger takes over the process's lines;
 * its spans are flushed before the exit), then runs `main`, which returns the exit code.
 */
export function runService<Env extends ObservabilityEnv>(
  spec: ServiceSpec<Env>,
  main: (env: Env, obs: Observability, ctx: MainContext) => Promise<number>,
): Promise<number> {
  return runMain(
    { name: spec.service, help: spec.help, fallbackLogger: () => createFallbackLogger(spec.service) },
    async (ctx) => {
      const env = spec.readEnv();
      const obs = createObservability(spec.service, env);
      ctx.useLogger(obs.log);
      ctx.atExit(() => flushTraces(obs));
      return main(env, obs, ctx);
    },
  );
}
