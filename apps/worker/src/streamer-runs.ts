import type { AnalysisSettings } from "@emote/contracts";
import type { Analysis } from "./committed-publishing.ts";
import type { DetectorInput, StreamerDetector } from "./detectors/detector.ts";
import type { StreamerAnalysis } from "./streamer-analysis.ts";

/** One streamer's records of a batch, in order, with their positions in the batch. */
export interface StreamerRun {
  streamer: StreamerAnalysis;
  settings: AnalysisSettings;
  /** The detectors its settings turn on. */
  detectors: StreamerDetector[];
  inputs: DetectorInput[];
  at: number[];
}

/**
 * Feeds each streamer its run of a batch's records, one streamer after the other, and
 * returns the moments in record order (at one record, in the order its detectors found
 * them), as one pass over the interleaved records would, and how many batches the seed's
 * rule closed. Every analysis is a state machine of one streamer, so a run decides what
 * the interleaved records did; run together, a streamer's state stays in the CPU's caches
 * rather than being fetched back for each record of a batch that interleaves many
 * streamers (the surge detector's cost per record, in process: about a fifth less).
 */
export function analyseRuns(runs: Iterable<StreamerRun>): { analyses: Analysis[]; closedBatches: number } {
  const found: Analysis[] = [];
  const foundAt: number[] = [];
  let closedBatches = 0;
  for (const { streamer, settings, detectors, inputs, at } of runs) {
    for (let j = 0; j < inputs.length; j++) {
      const before = found.length;
      if (streamer.push(inputs[j] as DetectorInput, detectors, settings, found)) closedBatches++;
      for (let k = before; k < found.length; k++) foundAt.push(at[j] as number);
    }
  }
  if (found.length < 2) return { analyses: found, closedBatches };
  // Stable: one record's moments keep their order.
  const order = found
    .map((_, k) => k)
    .sort((a, b) => (foundAt[a] as number) - (foundAt[b] as number) || a - b);
  return { analyses: order.map((k) => found[k] as Analysis), closedBatches };
}
