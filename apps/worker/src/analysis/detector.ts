import type { AnalysisSettings } from "@emote/contracts";

/** A moment before it is tied to a streamer and a batch. */
export interface Finding {
  windowStartMs: number;
  emote: string;
  count: number;
  total: number;
  ratio: number;
}

/** A batch's emotes as counts: per UTC minute (its start, in ms), per emote, allowed or not. */
export type MinuteCounts = ReadonlyMap<number, ReadonlyMap<string, number>>;

/**
 * What finds moments in a streamer's closed batch. The same counts and settings must give
 * the same findings in the same order: a replayed batch then yields the same moments.
 */
export interface Detector {
  readonly name: string;
  detect(counts: MinuteCounts, settings: AnalysisSettings): Finding[];
}
