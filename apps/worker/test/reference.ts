import { momentKind, type AnalysisSettings, type Moment } from "@emote/contracts";
import { minuteStart, thresholdDetector, toMoment, type Finding } from "../src/analysis/index.ts";
import { SurgeStreamerDetector } from "../src/detectors/surge-streamer.ts";

/** One emote as the list form of the rule sees it. */
export interface EmoteEvent {
  emote: string;
  timestampMs: number;
}

/**
 * The original rule, applied to one batch as a list: group by UTC minute and count, then
 * the threshold detector. The reference the incremental open batch is tested against,
 * and the benchmark baseline's algorithm.
 */
export function analyzeBatch(events: readonly EmoteEvent[], settings: AnalysisSettings): Finding[] {
  const allowed = new Set(settings.allowedEmotes);
  const counts = new Map<number, Map<string, number>>();
  for (const e of events) {
    if (!allowed.has(e.emote)) continue;
    const minute = minuteStart(e.timestampMs);
    const perEmote = counts.get(minute) ?? new Map<string, number>();
    perEmote.set(e.emote, (perEmote.get(e.emote) ?? 0) + 1);
    counts.set(minute, perEmote);
  }
  return thresholdDetector.detect(counts, settings);
}

/** One raw emote as produced (its key is the streamer, `default` when it has none). */
export interface ProducedEmote {
  emote: string;
  timestamp: string;
  streamerId?: string;
}

/**
 * What a never-interrupted run must produce: each streamer's emotes in order, cut into
 * batches of `interval`, each analysed with the original rule. Failover tests and the
 * chaos run hold every stored and delivered moment against it.
 */
export function expectedMoments(
  messages: Iterable<ProducedEmote>,
  settingsFor: (streamerId: string, batchSeq: number) => AnalysisSettings,
): Moment[] {
  return expectedBatches(messages, settingsFor).flatMap((b) => b.moments);
}

/** The same, batch by batch: within a streamer's batch the moments have no order of their own. */
export function expectedBatches(
  messages: Iterable<ProducedEmote>,
  settingsFor: (streamerId: string, batchSeq: number) => AnalysisSettings,
): { streamerId: string; batchSeq: number; moments: Moment[] }[] {
  const byStreamer = new Map<string, ProducedEmote[]>();
  for (const m of messages) {
    const id = m.streamerId ?? "default";
    let list = byStreamer.get(id);
    if (!list) byStreamer.set(id, (list = []));
    list.push(m);
  }
  const out: { streamerId: string; batchSeq: number; moments: Moment[] }[] = [];
  for (const [streamerId, list] of byStreamer) {
    let seq = 0;
    let start = 0;
    for (;;) {
      const settings = settingsFor(streamerId, seq);
      if (start + settings.interval > list.length) break;
      const batch = list.slice(start, start + settings.interval).map((m) => ({
        emote: m.emote,
        timestampMs: Date.parse(m.timestamp),
      }));
      const moments = analyzeBatch(batch, settings).map((f) => toMoment(streamerId, seq, f));
      if (moments.length > 0) out.push({ streamerId, batchSeq: seq, moments });
      start += settings.interval;
      seq++;
    }
  }
  return out;
}

/**
 * The seed's rule's moments (the reference is that rule; the surge detector's are tested
 * on their own) in id order, to compare sets of moments whatever order they arrived in, without
 * their moment-log positions: those number every commit to the database, this run's and
 * others', so what the rule gives is compared without them.
 */
export function byId(moments: Moment[]): Moment[] {
  return moments
    .filter((m) => momentKind(m) === "threshold")
    .map(({ position: _, ...m }) => m)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The surge moments a never-interrupted run leaves stored: each streamer's emotes in order
 * through the surge detector behind the worker's seam, the last version of each id (a
 * surge's end replaces its onset), in id order.
 */
export function expectedSurges(messages: Iterable<ProducedEmote>, settings: AnalysisSettings): Moment[] {
  const streamers = new Map<string, SurgeStreamerDetector>();
  const last = new Map<string, Moment>();
  for (const m of messages) {
    const streamerId = m.streamerId ?? "default";
    let detector = streamers.get(streamerId);
    if (!detector) streamers.set(streamerId, (detector = new SurgeStreamerDetector()));
    const found = detector.push(
      { streamerId, emote: m.emote, timestampMs: Date.parse(m.timestamp) },
      settings,
    );
    for (const moment of found ?? []) last.set(moment.id, moment);
  }
  return [...last.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Stored or published surge moments, as expectedSurges gives them: without positions, in id order. */
export function surgesById(moments: Moment[]): Moment[] {
  return moments
    .filter((m) => m.kind === "surge")
    .map(({ position: _, ...m }) => m)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
