import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type AnalysisSettings } from "@emote/contracts";
import { audience, during, POPULAR_MIX, syntheticChat } from "../test/synthetic-chat.ts";
import type { StreamerProgress } from "@emote/db";
import type { Analysis } from "./committed-publishing.ts";
import type { DetectorRecord } from "./detectors/detector-types.ts";
import { StreamerAnalysis } from "./streamer-analysis.ts";
import { analyseRuns, type StreamerRun } from "./streamer-runs.ts";
import { DEFAULT_STREAM_GAP_MS } from "./timeline/stream-timeline.ts";

const settings: AnalysisSettings = { ...DEFAULT_SETTINGS, interval: 20, threshold: 0.3 };

/** Three streamers' chats, each with a surge at its own time, interleaved by event time. */
const RECORDS: DetectorRecord[] = ["a", "b", "c"]
  .flatMap((id, n) =>
    syntheticChat(
      240,
      [
        { rate: () => 2, emote: POPULAR_MIX, viewer: audience(60) },
        { rate: during(90 + 30 * n, 110 + 30 * n, 6), emote: () => "🔥", viewer: audience(12, "fan") },
      ],
      11 + n,
    ).map((r) => ({ ...r, streamerId: id })),
  )
  .sort((x, y) => x.timestampMs - y.timestampMs);

function streamers(): Map<string, StreamerAnalysis> {
  return new Map(["a", "b", "c"].map((id) => [id, StreamerAnalysis.create(id, DEFAULT_STREAM_GAP_MS)]));
}

interface Outcome {
  analyses: Analysis[];
  closed: number;
  /** Each streamer's state as committed after the last batch. */
  progress: StreamerProgress[];
}

/** One pass over the interleaved records, as the worker did before runs. */
function interleaved(batches: DetectorRecord[][]): Outcome {
  const all = streamers();
  const analyses: Analysis[] = [];
  let closed = 0;
  for (const batch of batches) {
    for (const r of batch) {
      const s = all.get(r.streamerId) as StreamerAnalysis;
      if (s.push(r, s.detectors(settings), settings, analyses)) closed++;
    }
  }
  return { analyses, closed, progress: [...all.values()].map((s) => s.toProgress()) };
}

function byRuns(batches: DetectorRecord[][]): Outcome {
  const all = streamers();
  const analyses: Analysis[] = [];
  let closed = 0;
  for (const batch of batches) {
    const runs = new Map<string, StreamerRun>();
    batch.forEach((r, i) => {
      let run = runs.get(r.streamerId);
      if (!run) {
        const streamer = all.get(r.streamerId) as StreamerAnalysis;
        run = { streamer, settings, detectors: streamer.detectors(settings), inputs: [], at: [] };
        runs.set(r.streamerId, run);
      }
      run.inputs.push(r);
      run.at.push(i);
    });
    const out = analyseRuns(runs.values());
    analyses.push(...out.analyses);
    closed += out.closedBatches;
  }
  return { analyses, closed, progress: [...all.values()].map((s) => s.toProgress()) };
}

describe("analyseRuns", () => {
  it("finds the moments of the interleaved records, in their order, and leaves the same state, however the batches are cut", () => {
    const whole = interleaved([RECORDS]);
    // Both detectors found something for every streamer, or the order would not be tested.
    const kinds = new Set(
      whole.analyses.flatMap((a) => a.moments.map((m) => `${a.streamerId}:${m.kind ?? "threshold"}`)),
    );
    expect(kinds.size).toBe(6);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: RECORDS.length - 1 }), { maxLength: 6 }),
        (cuts) => {
          const bounds = [0, ...[...cuts].sort((x, y) => x - y), RECORDS.length];
          const batches = bounds.slice(1).map((end, b) => RECORDS.slice(bounds[b], end));
          expect(byRuns(batches)).toEqual(interleaved(batches));
        },
      ),
      { numRuns: 20 },
    );
  });
});
