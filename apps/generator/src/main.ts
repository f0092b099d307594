#!/usr/bin/env -S node --import tsx
import { topicNames } from "@emote/bus";
import { ConfigError, kafkaBrokers } from "@emote/config";
import { KafkaUnavailableError } from "@emote/bus/kafka";
import { runMain } from "@emote/lifecycle";
import {
  createFallbackLogger,
  createObservability,
  errorMessage,
  flushTraces,
  startProbeServer,
  type ProbeServer,
} from "@emote/observability";
import { runGenerator } from "./app.ts";
import { loadServiceEnv, rawEnv } from "./env.ts";
import { createGeneratorMetrics } from "./generator-metrics.ts";
import { connectProducer } from "./kafka.ts";
import { OptionsError, parseCli } from "./options.ts";
import { producerHealth } from "./producer-health.ts";
import type { SendProgress } from "./sender.ts";

const SERVICE = "emote-generator";

/** Bad flags and variables are usage errors: one line on stderr, exit 2, no stack trace. */
function isUsageError(err: unknown): err is Error {
  return err instanceof OptionsError || err instanceof ConfigError;
}

void runMain(
  { name: SERVICE, fallbackLogger: () => createFallbackLogger(SERVICE), isUsageError },
  async (ctx) => {
    const cli = parseCli(process.argv.slice(2), rawEnv());
    // Help first: it must work even when the environment is broken.
    if (cli.kind === "help") {
      process.stdout.write(`${cli.text}\n`);
      return 0;
    }
    const env = loadServiceEnv();
    const options = { ...cli.options, topic: cli.options.topic ?? topicNames(env.KAFKA_TOPIC_PREFIX).raw };
    const obs = createObservability(SERVICE, env);
    const { log } = obs;
    ctx.useLogger(log);
    ctx.atExit(() => flushTraces(obs));
    const metrics = createGeneratorMetrics(obs.registry);
    const producer = producerHealth();
    obs.readiness.add({ name: "kafka", label: "Kafka producer", check: producer.check });

    const progress: SendProgress = { taken: 0, sent: 0 };
    // Stops taking new emotes; what was taken is still sent, within the bound.
    const { signal } = ctx.stopOn({
      doing: "sending what is pending, then stopping",
      timeoutMs: env.GENERATOR_SHUTDOWN_TIMEOUT_MS,
      pending: { count: () => progress.taken - progress.sent, what: "pending emotes" },
    });

    let probes: ProbeServer | undefined;
    try {
      const summary = await runGenerator(options, {
        // Called once the source is ready (a bad --replay file is a usage error before this):
        // the probes serve for as long as the run connects and sends.
        connect: async () => {
          probes = await startProbeServer(obs, { host: env.METRICS_HOST, port: env.METRICS_PORT });
          log.info({ url: probes.url, port: probes.port }, `metrics and probes on ${probes.url}`);
          const connected = await connectProducer({
            brokers: kafkaBrokers(env),
            partitions: env.KAFKA_PARTITIONS,
            topicPrefix: env.KAFKA_TOPIC_PREFIX,
            topic: options.topic,
            log,
          });
          return producer.watch(connected);
        },
        log,
        signal,
        metrics,
        tracing: obs.tracing,
        progress,
      });
      const { sent, skipped, seconds } = summary;
      const rate = seconds > 0 ? Math.round(sent / seconds) : sent;
      log.info(
        { sent, seconds: Number(seconds.toFixed(3)), rate, ...(skipped > 0 && { skipped }) },
        `done: sent ${sent} emotes in ${seconds.toFixed(1)} s (${rate}/s)` +
          (skipped > 0 ? `, skipped ${skipped} invalid replay lines` : ""),
      );
      return 0;
    } catch (err) {
      if (isUsageError(err)) throw err;
      // KafkaUnavailableError and a METRICS_PORT in use say what to do; no stack trace.
      if (err instanceof KafkaUnavailableError) log.fatal(err.message);
      else log.fatal(`failed: ${errorMessage(err)}`);
      return 1;
    } finally {
      await probes?.close();
    }
  },
);
