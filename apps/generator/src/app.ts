import { randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { BusProducer } from "@emote/bus";
import { generateEmotes, streamerIds, type EmoteMessage } from "./emote-stream.ts";
import type { Logger } from "./log.ts";
import type { GeneratorOptions } from "./options.ts";
import { openReplayFile, replayEmotes, replayTag } from "./replay.ts";
import { sendEmotes } from "./sender.ts";

export interface RunDeps {
  /** Connects the producer; called only once the source is ready, so usage errors come first. */
  connect: () => Promise<BusProducer>;
  log: Logger;
  /** Aborting stops the run gracefully: what is due is sent, then it resolves. */
  signal?: AbortSignal;
}

export interface RunSummary {
  sent: number;
  skipped: number;
  seconds: number;
}

/** Long runs print a progress line this often. */
const PROGRESS_EVERY_MS = 5_000;

/** One generator run: build the source, connect, send until done or stopped, disconnect. */
export async function runGenerator(
  options: GeneratorOptions & { topic: string },
  deps: RunDeps,
): Promise<RunSummary> {
  const { log } = deps;
  let skipped = 0;
  let messages: Iterable<EmoteMessage> | AsyncIterable<EmoteMessage>;
  if (options.replay !== undefined) {
    const lines = await openReplayFile(options.replay);
    messages = replayEmotes(lines, {
      tag: replayTag(options.replay),
      start: options.start,
      count: options.count,
      onSkip: (line, reason) => {
        skipped++;
        log.warn(`${options.replay}:${line}: skipped, ${reason}`);
      },
    });
    log.info(
      `replaying ${options.replay} to ${options.topic}${options.max ? " as fast as possible" : " in real time"}`,
    );
  } else {
    // Without --seed/--start the run is still reproducible: both are printed.
    const seed = options.seed ?? randomInt(0, 2 ** 32);
    const start = options.start ?? Date.now();
    messages = generateEmotes({
      seed,
      start,
      streamers: options.streamers,
      rate: options.rate,
      emotes: options.emotes,
      count: options.count,
    });
    const ids = streamerIds(options.streamers);
    log.info(
      `generating for ${ids.length === 1 ? `streamer ${ids[0]}` : `${ids.length} streamers (s1…s${ids.length})`} at ${options.rate} tick/s` +
        ` to ${options.topic}${options.max ? " as fast as possible" : " in real time"}` +
        `; reproduce with --seed ${seed} --start ${new Date(start).toISOString()}`,
    );
  }

  const producer = await deps.connect();
  const began = performance.now();
  let sent = 0;
  let lastReport = { at: began, sent: 0 };
  const progress = setInterval(() => {
    const now = performance.now();
    const rate = ((sent - lastReport.sent) * 1000) / (now - lastReport.at);
    log.info(
      `sent ${sent} emotes (${Math.round(rate)}/s)${skipped > 0 ? `, ${skipped} replay lines skipped` : ""}`,
    );
    lastReport = { at: now, sent };
  }, PROGRESS_EVERY_MS);
  progress.unref();

  try {
    await sendEmotes(producer, messages, {
      topic: options.topic,
      paced: !options.max,
      signal: deps.signal,
      onSent: (n) => {
        sent += n;
      },
    });
  } finally {
    clearInterval(progress);
    await producer.disconnect();
  }
  return { sent, skipped, seconds: (performance.now() - began) / 1000 };
}
