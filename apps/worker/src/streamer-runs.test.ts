import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type AnalysisSettings } from "@emote/contracts";
import { audience, during, POPULAR_MIX, syntheticChat } from "../test/synthetic-chat.ts";
import type { StreamerProgress } from "@emote/db";
import type { Analysis } from "./committed-publishing.ts";
import type { DetectorRecord } from "./detectors/detector-types.ts";
import { SurgeStreamerDetector } from "./detectors/surge-streamer.ts";
import { collapseUpdates } from "./moment-updates.ts";
import { StreamerAnalysis } from "./streamer-analysis.ts";
import { inlineSurgeStage, type SurgeStage } from "./surge-stage.ts";
import { analyseRecords } from "../test/staged-batch.ts";
import { threadSurgeStage } from "./surge-thread.ts";
import { DEFAULT_STREAM_GAP_MS } from "./timeline/stream-timeline.ts";

const settings: AnalysisSettings = { ...DEFAULT_SETTINGS, interval: 20, threshold: 0.3 };
const IDS = ["a", "b", "c"];

/** Three streamers' chats, each with a surge at its own time, interleaved by event time. */
const RECORDS: DetectorRecord[] = IDS.flatMap((id, n) =>
  syntheticChat(
    240,
    [
      { rate: () => 2, emote: POPULAR_MIX, viewer: audience(60) },
      { rate: during(90 + 30 * n, 110 + 30 * n, 6), emote: () => "🔥", viewer: audience(12, "fan") },
    ],
    11 + n,
  ).map((r) => ({ ...r, streamerId: id })),
).sort((x, y) => x.timestampMs - y.timestampMs);

interface Outcome {
  analyses: Analysis[];
  closed: number;
  /** Each streamer's state as committed after the last batch that had its records. */
  progress: (StreamerProgress | undefined)[];
}

function streamers(): Map<string, StreamerAnalysis> {
  return new Map(IDS.map((id) => [id, StreamerAnalysis.create(id, DEFAULT_STREAM_GAP_MS)]));
}

/** One pass over the interleaved records, both detectors of a streamer side by side, as the worker did before runs. */
function interleaved(batches: DetectorRecord[][]): Outcome {
  const all = streamers();
  const surges = new Map(IDS.map((id) => [id, new SurgeStreamerDetector()]));
  const analyses: Analysis[] = [];
  const progress = new Map<string, StreamerProgress>();
  let closed = 0;
  for (const batch of batches) {
    const found: Analysis[] = [];
    for (const r of batch) {
      const s = all.get(r.streamerId) as StreamerAnalysis;
      if (s.push(r, s.detectors(settings), settings, found)) closed++;
      const moments = surges.get(r.streamerId)?.push(r, settings);
      if (moments) found.push({ streamerId: r.streamerId, moments });
    }
    analyses.push(...collapseUpdates(found));
    for (const id of new Set(batch.map((r) => r.streamerId))) {
      const surge = surges.get(id);
      progress.set(id, (all.get(id) as StreamerAnalysis).take().progress(surge?.toText()));
    }
  }
  return { analyses, closed, progress: IDS.map((id) => progress.get(id)) };
}

/** As the partition processor does: each streamer's run, its surge records through `stage`. */
async function byRuns(batches: DetectorRecord[][], stage: SurgeStage): Promise<Outcome> {
  const all = streamers();
  stage.clear();
  const analyses: Analysis[] = [];
  const progress = new Map<string, StreamerProgress>();
  let closed = 0;
  for (const batch of batches) {
    const out = await analyseRecords(batch, (id) => all.get(id) as StreamerAnalysis, settings, stage);
    analyses.push(...out.analyses);
    closed += out.closedBatches;
    for (const s of out.streamers) progress.set(s.progress.streamerId, s.progress);
  }
  return { analyses, closed, progress: IDS.map((id) => progress.get(id)) };
}

const cutsOf = fc.uniqueArray(fc.integer({ min: 1, max: RECORDS.length - 1 }), { maxLength: 6 });

function batchesAt(cuts: number[]): DetectorRecord[][] {
  const bounds = [0, ...[...cuts].sort((x, y) => x - y), RECORDS.length];
  return bounds.slice(1).map((end, b) => RECORDS.slice(bounds[b], end));
}

describe("analyseBatch", () => {
  const thread = threadSurgeStage();
  afterAll(() => thread.close());

  it("finds the moments of the interleaved records, in their order, and leaves the same state, however the batches are cut", async () => {
    const whole = interleaved([RECORDS]);
    // Both detectors found something for every streamer, or the order would not be tested.
    const kinds = new Set(
      whole.analyses.flatMap((a) => a.moments.map((m) => `${a.streamerId}:${m.kind ?? "threshold"}`)),
    );
    expect(kinds.size).toBe(6);
    const inline = inlineSurgeStage();
    await fc.assert(
      fc.asyncProperty(cutsOf, async (cuts) => {
        const batches = batchesAt(cuts);
        expect(await byRuns(batches, inline)).toEqual(interleaved(batches));
      }),
      { numRuns: 20 },
    );
  });

  it("fails a batch on a surge thread that has stopped, rather than waiting for it", async () => {
    const stopped = threadSurgeStage();
    await stopped.close();
    // For good: the worker stops and is restarted rather than replaying into a thread without its state.
    await expect(stopped.analyse({ emotes: [], runs: [] })).rejects.toMatchObject({
      name: "UnrecoverableBatchError",
      retriable: false,
      message: "the surge thread stopped: closed",
    });
  });

  it("gives the same on the surge thread", async () => {
    await fc.assert(
      fc.asyncProperty(cutsOf, async (cuts) => {
        const batches = batchesAt(cuts);
        expect(await byRuns(batches, thread)).toEqual(interleaved(batches));
      }),
      { numRuns: 5 },
    );
  });
});
