#!/usr/bin/env -S node --import tsx
import { topicNames } from "@emote/bus";
import { ConfigError, kafkaBrokers } from "@emote/config";
import { KafkaUnavailableError } from "@emote/bus/kafka";
import { runGenerator } from "./app.ts";
import { loadServiceEnv, rawEnv, type ServiceEnv } from "./env.ts";
import { connectProducer } from "./kafka.ts";
import { createLogger } from "./log.ts";
import { OptionsError, parseCli, type Cli } from "./options.ts";

/** Bad flags and variables are usage errors: one line, exit 2, no stack trace. */
function isUsageError(err: unknown): err is Error {
  return err instanceof OptionsError || err instanceof ConfigError;
}

async function main(): Promise<number> {
  let cli: Cli;
  let env: ServiceEnv;
  try {
    cli = parseCli(process.argv.slice(2), rawEnv());
    // Help first: it must work even when the environment is broken.
    if (cli.kind === "help") {
      console.log(cli.text);
      return 0;
    }
    env = loadServiceEnv();
  } catch (err) {
    if (!isUsageError(err)) throw err;
    console.error(`emote-generator: ${err.message}`);
    return 2;
  }
  const options = { ...cli.options, topic: cli.options.topic ?? topicNames(env.KAFKA_TOPIC_PREFIX).raw };
  const log = createLogger(env.LOG_LEVEL);

  // First signal: stop taking new emotes, flush, exit 0. A second one: exit at once.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    log.info(`${signal}: sending what is pending, then stopping`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    const summary = await runGenerator(options, {
      connect: () =>
        connectProducer({
          brokers: kafkaBrokers(env),
          partitions: env.KAFKA_PARTITIONS,
          topicPrefix: env.KAFKA_TOPIC_PREFIX,
          topic: options.topic,
        }),
      log,
      signal: stop.signal,
    });
    const rate = summary.seconds > 0 ? Math.round(summary.sent / summary.seconds) : summary.sent;
    log.info(
      `done: sent ${summary.sent} emotes in ${summary.seconds.toFixed(1)} s (${rate}/s)` +
        (summary.skipped > 0 ? `, skipped ${summary.skipped} invalid replay lines` : ""),
    );
    return 0;
  } catch (err) {
    if (isUsageError(err)) {
      console.error(`emote-generator: ${err.message}`);
      return 2;
    }
    if (err instanceof KafkaUnavailableError) {
      console.error(`emote-generator: ${err.message}`);
      return 1;
    }
    console.error(`emote-generator: failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await main();
