import type { AnalysisSettings } from "@emote/contracts";
import type { Analysis } from "./committed-publishing.ts";
import { collapseUpdates } from "./moment-updates.ts";
import type { DetectorInput, StreamerDetector } from "./detectors/detector.ts";
import type { StreamerAnalysis, StreamerCommit } from "./streamer-analysis.ts";
import type { SurgeBatch, SurgeBatchResult, SurgeFound, SurgeRunBuilder, SurgeStage } from "./surge-stage.ts";

/** One streamer's records of a batch, in order, with their positions in the batch. */
export interface StreamerRun {
  streamer: StreamerAnalysis;
  settings: AnalysisSettings;
  /** The detectors of the consumer's thread its settings turn on (the surge detector runs in the surge stage). */
  detectors: StreamerDetector[];
  inputs: DetectorInput[];
  at: number[];
  /** What the surge stage keys its records by, when its surge detector is on (one entry per input). */
  surge: SurgeRunBuilder | undefined;
}

/** A batch's runs analysed: the moments each record decided, in run order, and where. */
interface RunsAnalysed {
  found: Analysis[];
  /** The position in the batch of the record that decided each of `found`. */
  foundAt: number[];
  /** Batches the seed's rule closed. */
  closedBatches: number;
}

/**
 * Feeds each streamer its run of a batch's records, one streamer after the other. Every
 * analysis is a state machine of one streamer, so a run decides what the interleaved
 * records did; run together, a streamer's state stays in the CPU's caches rather than
 * being fetched back for each record of a batch that interleaves many streamers.
 */
function analyseRuns(runs: Iterable<StreamerRun>): RunsAnalysed {
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
  return { found, foundAt, closedBatches };
}

/**
 * The moments of `analysed` and of the surge stage (`surge`) in record order: at one
 * record the seed's rule's first, then the surge detector's, as one pass over the
 * interleaved records with both detectors gives them.
 */
function inRecordOrder({ found, foundAt }: RunsAnalysed, surge: readonly SurgeFound[] = []): Analysis[] {
  const all = [...found];
  const at = [...foundAt];
  for (const f of surge) {
    all.push({ streamerId: f.streamerId, moments: f.moments });
    at.push(f.at);
  }
  if (all.length < 2) return all;
  // Ties keep the order of insertion: one record's moments, the seed's rule's first.
  const order = all.map((_, k) => k).sort((a, b) => (at[a] as number) - (at[b] as number) || a - b);
  return order.map((k) => all[k] as Analysis);
}

/** A batch analysed: its moments in record order, one version per id, and what to commit. */
export interface BatchAnalysed {
  analyses: Analysis[];
  closedBatches: number;
  /** What the commit stores of each streamer with records in the batch, in the batch's order. */
  streamers: StreamerCommit[];
}

const NO_SURGES: SurgeBatchResult = { found: [], states: [] };

/**
 * Analyses a batch's runs: the surge stage takes the runs of the streamers whose surge
 * detector is on (`emotes`: the batch's emote table their records index), while the runs
 * are analysed here; then the moments of both in record order, a surge's onset and end in
 * one batch collapsed to its end (moment-updates.ts).
 */
export async function analyseBatch(
  runs: readonly StreamerRun[],
  emotes: readonly string[],
  stage: SurgeStage,
): Promise<BatchAnalysed> {
  const surgeBatch: SurgeBatch = { emotes, runs: [] };
  const off: string[] = [];
  for (const run of runs) {
    if (!run.surge) off.push(run.streamer.streamerId);
    else if (run.inputs.length > 0) surgeBatch.runs.push(run.surge.build(run.inputs, run.at));
  }
  // A surge detector turned off forgets its state (turned on again, it learns a new baseline).
  stage.forget(off);
  const surgeDone = surgeBatch.runs.length > 0 ? stage.analyse(surgeBatch) : undefined;
  // Should the runs here throw, the batch fails and the stage's answer is of no interest.
  surgeDone?.catch(() => undefined);
  const analysed = analyseRuns(runs);
  // Taken before the stage answers: meanwhile another partition's batch may move on a
  // streamer that is in both (its records were produced under another key).
  const taken = runs.flatMap((r) =>
    r.inputs.length > 0 ? [[r.streamer.streamerId, r.streamer.take()] as const] : [],
  );
  const surge = (await surgeDone) ?? NO_SURGES;
  const states = new Map(surge.states);
  return {
    analyses: collapseUpdates(inRecordOrder(analysed, surge.found)),
    closedBatches: analysed.closedBatches,
    streamers: taken.map(([id, { buckets, streams, progress }]) => ({
      progress: progress(states.get(id)),
      buckets,
      streams,
    })),
  };
}
