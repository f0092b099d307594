import type { AnalysisSettings } from "@emote/contracts";
import type { DetectorRecord } from "../src/detectors/detector-types.ts";
import { viewerKeyOf } from "../src/detectors/surge/surge-detector.ts";
import type { StreamerAnalysis } from "../src/streamer-analysis.ts";
import { analyseBatch, type BatchAnalysed, type StreamerRun } from "../src/streamer-runs.ts";
import { SurgeRunBuilder, type SurgeStage } from "../src/surge-stage.ts";

/**
 * A batch's records through their streamers as the partition processor feeds them: a run
 * per streamer in order of first record, the batch's emote table, each record's viewer as
 * the surge detector keys it, the surge detectors in `stage`.
 */
export function analyseRecords(
  records: readonly DetectorRecord[],
  streamerOf: (id: string) => StreamerAnalysis,
  settings: AnalysisSettings,
  stage: SurgeStage,
): Promise<BatchAnalysed> {
  const runs = new Map<string, StreamerRun>();
  const emotes: string[] = [];
  records.forEach((r, i) => {
    let run = runs.get(r.streamerId);
    if (!run) {
      const streamer = streamerOf(r.streamerId);
      const surge = settings.detectors.includes("surge")
        ? new SurgeRunBuilder(r.streamerId, settings.surge)
        : undefined;
      run = { streamer, settings, detectors: streamer.detectors(settings), inputs: [], at: [], surge };
      runs.set(r.streamerId, run);
    }
    run.inputs.push(r);
    run.at.push(i);
    if (!emotes.includes(r.emote)) emotes.push(r.emote);
    run.surge?.add(emotes.indexOf(r.emote), viewerKeyOf(r.viewer) ?? -1);
  });
  return analyseBatch([...runs.values()], emotes, stage);
}
