import { randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { BusProducer } from "@emote/bus";
import type { Logger, Tracing } from "@emote/observability";
import { generateEmotes, streamerIds, type TracedEmoteMessage } from "./emote-stream.ts";
import { withSurges } from "./surge-overlay.ts";
import type { GeneratorMetrics } from "./generator-metrics.ts";
import type { GeneratorOptions } from "./options.ts";
import { openReplayFile, replayEmotes, replayTag } from "./replay.ts";
import { sendEmotes, type SendProgress } from "./sender.ts";

export interface RunDeps {
  /** Connects the producer; called only once the source is ready, so usage errors come first. */
  connect: () => Promise<BusProducer>;
  log: Logger;
  /** Aborting stops the run gracefully: what is due is sent, then it resolves. */
  signal?: AbortSignal;
  /** Counts acknowledged emotes; omitted: counted nowhere. */
  metrics?: GeneratorMetrics;
  /** One producer span per emote (its traceparent is the record's header); omitted: random root contexts. */
  tracing?: Tracing;
  /** Updated as the run goes (taken from the source, acknowledged): what a bounded shutdown abandons. */
  progress?: SendProgress;
}

export interface RunSummary {
  sent: number;
  skipped: number;
  seconds: number;
}

/** Long runs log their progress this often. */
const PROGRESS_EVERY_MS = 5_000;

/** One generator run: build the source, connect, send until done or stopped, disconnect. */
export async function runGenerator(
  options: GeneratorOptions & { topic: string },
  deps: RunDeps,
): Promise<RunSummary> {
  const { log } = deps;
  const pace = options.max ? "as fast as possible" : "in real time";
  let skipped = 0;
  let messages: Iterable<TracedEmoteMessage> | AsyncIterable<TracedEmoteMessage>;
  if (options.replay !== undefined) {
    const file = options.replay;
    const lines = await openReplayFile(file);
    messages = replayEmotes(lines, {
      tag: replayTag(file),
      start: options.start,
      count: options.count,
      onSkip: (line, reason) => {
        skipped++;
        log.warn({ file, line, reason }, `${file}:${line}: skipped, ${reason}`);
      },
    });
    log.info(
      { replay: file, topic: options.topic, max: options.max },
      `replaying ${file} to ${options.topic} ${pace}`,
    );
  } else {
    // Without --seed/--start the run is still reproducible: both are logged.
    const seed = options.seed ?? randomInt(0, 2 ** 32);
    const start = options.start ?? Date.now();
    const generated = generateEmotes({
      seed,
      start,
      streamers: options.streamers,
      rate: options.rate,
      emotes: options.emotes,
      viewers: options.viewers,
      count: options.count,
    });
    messages = options.surging
      ? withSurges(generated, { share: options.surging, seed, emotes: options.emotes })
      : generated;
    const ids = streamerIds(options.streamers);
    const startIso = new Date(start).toISOString();
    log.info(
      {
        topic: options.topic,
        streamers: ids.length,
        rate: options.rate,
        max: options.max,
        seed,
        start: startIso,
        ...(options.count !== undefined && { count: options.count }),
      },
      `generating for ${ids.length === 1 ? `streamer ${ids[0]}` : `${ids.length} streamers (s1…s${ids.length})`} at ${options.rate} tick/s` +
        ` to ${options.topic} ${pace}; reproduce with --seed ${seed} --start ${startIso}`,
    );
  }

  const producer = await deps.connect();
  const began = performance.now();
  const progress = deps.progress ?? { taken: 0, sent: 0 };
  let lastReport = { at: began, sent: progress.sent };
  const timer = setInterval(() => {
    const now = performance.now();
    const sent = progress.sent;
    const rate = Math.round(((sent - lastReport.sent) * 1000) / (now - lastReport.at));
    log.info(
      { sent, rate, pending: progress.taken - sent, ...(skipped > 0 && { skipped }) },
      `sent ${sent} emotes (${rate}/s)${skipped > 0 ? `, ${skipped} replay lines skipped` : ""}`,
    );
    lastReport = { at: now, sent };
  }, PROGRESS_EVERY_MS);
  timer.unref();

  const counter = deps.metrics?.emotesProduced;
  let sent = 0;
  try {
    sent = await sendEmotes(producer, messages, {
      topic: options.topic,
      paced: !options.max,
      signal: deps.signal,
      progress,
      tracing: deps.tracing,
      log,
      onSent: counter && ((n) => counter.inc(n)),
    });
  } finally {
    clearInterval(timer);
    await producer.disconnect();
  }
  return { sent, skipped, seconds: (performance.now() - began) / 1000 };
}
