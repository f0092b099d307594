import { createHash } from "node:crypto";
import type { AnalysisSettings, Moment } from "@emote/contracts";

/** One emote as the analysis sees it. */
export interface EmoteEvent {
  emote: string;
  timestampMs: number;
}

/** A moment before it is tied to a streamer and a batch. */
export interface Finding {
  windowStartMs: number;
  emote: string;
  count: number;
  total: number;
  ratio: number;
}

export function minuteStart(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

/**
 * The original rule, applied to one batch as a list: drop emotes not allowed, group by
 * UTC minute, and report every (minute, emote) whose share of that minute's allowed
 * emotes is strictly above the threshold. Kept as the reference the incremental
 * `OpenBatch` is tested against, and as the benchmark baseline's algorithm.
 */
export function analyzeBatch(events: readonly EmoteEvent[], settings: AnalysisSettings): Finding[] {
  const allowed = new Set(settings.allowedEmotes);
  const byMinute = new Map<number, EmoteEvent[]>();
  for (const e of events) {
    if (!allowed.has(e.emote)) continue;
    const minute = minuteStart(e.timestampMs);
    const list = byMinute.get(minute) ?? [];
    list.push(e);
    byMinute.set(minute, list);
  }
  const counts = new Map<number, Map<string, number>>();
  for (const [minute, list] of byMinute) {
    const perEmote = new Map<string, number>();
    for (const e of list) perEmote.set(e.emote, (perEmote.get(e.emote) ?? 0) + 1);
    counts.set(minute, perEmote);
  }
  return findingsFromCounts(counts, settings);
}

/**
 * Findings from per-minute counts, in a stable order (minute, then emote order of
 * `allowedEmotes`) so the same input always yields the same message.
 */
function findingsFromCounts(
  counts: ReadonlyMap<number, ReadonlyMap<string, number>>,
  settings: AnalysisSettings,
): Finding[] {
  const findings: Finding[] = [];
  const minutes = [...counts.keys()].sort((a, b) => a - b);
  for (const minute of minutes) {
    const perEmote = counts.get(minute);
    if (!perEmote) continue;
    let total = 0;
    for (const emote of settings.allowedEmotes) total += perEmote.get(emote) ?? 0;
    if (total === 0) continue;
    for (const emote of settings.allowedEmotes) {
      const count = perEmote.get(emote) ?? 0;
      const ratio = count / total;
      if (count > 0 && ratio > settings.threshold) {
        findings.push({ windowStartMs: minute, emote, count, total, ratio });
      }
    }
  }
  return findings;
}

/**
 * A streamer's batch in progress, kept as counts rather than a list: every emote is
 * counted (allowed or not, since settings may change before the batch closes), and the
 * allowed-emote filter is applied when it is analysed — the same result as the list form.
 */
export class OpenBatch {
  size = 0;
  readonly counts = new Map<number, Map<string, number>>();

  /** Counts one emote; true when it is the first of its emote in its minute. */
  add(emote: string, timestampMs: number): boolean {
    const minute = minuteStart(timestampMs);
    let perEmote = this.counts.get(minute);
    if (!perEmote) {
      perEmote = new Map();
      this.counts.set(minute, perEmote);
    }
    const before = perEmote.get(emote) ?? 0;
    perEmote.set(emote, before + 1);
    this.size++;
    return before === 0;
  }

  analyze(settings: AnalysisSettings): Finding[] {
    return findingsFromCounts(this.counts, settings);
  }

  clear(): void {
    this.size = 0;
    this.counts.clear();
  }
}

/**
 * Deterministic moment id: the same stream replayed from the start (any consumer group)
 * yields the same ids, so storage upserts and clients de-duplicate by id.
 */
export function momentId(streamerId: string, batchSeq: number, windowStartMs: number, emote: string): string {
  return createHash("sha256")
    .update(`${streamerId}\u0000${batchSeq}\u0000${windowStartMs}\u0000${emote}`)
    .digest("base64url")
    .slice(0, 22);
}

export function toMoment(streamerId: string, batchSeq: number, f: Finding): Moment {
  return {
    id: momentId(streamerId, batchSeq, f.windowStartMs, f.emote),
    streamerId,
    emote: f.emote,
    timestamp: new Date(f.windowStartMs).toISOString(),
    count: f.count,
    total: f.total,
    ratio: f.ratio,
  };
}
