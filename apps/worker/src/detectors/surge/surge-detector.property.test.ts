import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DetectorRecord, SurgeMoment } from "../detector-types.ts";
import { audience, during, POPULAR_MIX, syntheticChat } from "../../../test/synthetic-chat.ts";
import { SurgeDetector } from "./surge-detector.ts";
import { surgeStateFromJson, surgeStateToJson } from "./surge-state.ts";

/** Two streamers interleaved, with surges, spam and records up to 1.5 s late. */
function stream(): DetectorRecord[] {
  const a = syntheticChat(
    400,
    [
      { rate: () => 2, emote: POPULAR_MIX, viewer: audience(100) },
      { rate: during(120, 150, 6), emote: () => "🔥", viewer: audience(12, "fan") },
      { rate: during(250, 262, 5), emote: () => "😮", viewer: () => undefined },
      { rate: during(200, 230, 8), emote: () => "😢", viewer: () => "spammer" },
    ],
    11,
    "a",
  );
  const b = syntheticChat(
    400,
    [
      { rate: () => 0.8, emote: POPULAR_MIX, viewer: audience(50) },
      { rate: during(180, 200, 4), emote: () => "❤️", viewer: audience(6, "fan") },
    ],
    12,
    "b",
  );
  const merged = [...a, ...b].sort((x, y) => x.timestampMs - y.timestampMs);
  // Every 17th record arrives late: stamped up to 1.5 s before its place.
  return merged.map((r, i) => (i % 17 === 0 ? { ...r, timestampMs: r.timestampMs - (i % 1_500) } : r));
}

const RECORDS = stream();

function uninterrupted(records = RECORDS): SurgeMoment[] {
  const detector = new SurgeDetector();
  return records.flatMap((r) => detector.push(r));
}

/** Batches between cut points, the state saved as JSON text after each (as a checkpoint would be). */
function inBatches(cuts: number[], crashAfter?: number, records = RECORDS): SurgeMoment[] {
  const bounds = [0, ...cuts, records.length];
  const committed: SurgeMoment[] = [];
  let checkpoint = JSON.stringify(surgeStateToJson(new Map()));
  for (let b = 0; b + 1 < bounds.length; b++) {
    const detector = new SurgeDetector(surgeStateFromJson(JSON.parse(checkpoint)));
    const moments = records.slice(bounds[b], bounds[b + 1]).flatMap((r) => detector.push(r));
    if (b === crashAfter) {
      // Killed before the commit: this batch's moments and state are lost; it is replayed.
      const replayed = new SurgeDetector(surgeStateFromJson(JSON.parse(checkpoint)));
      const again = records.slice(bounds[b], bounds[b + 1]).flatMap((r) => replayed.push(r));
      expect(again).toEqual(moments);
      checkpoint = JSON.stringify(surgeStateToJson(replayed.state));
      committed.push(...again);
      continue;
    }
    checkpoint = JSON.stringify(surgeStateToJson(detector.state));
    committed.push(...moments);
  }
  return committed;
}

const cutPoints = fc
  .uniqueArray(fc.integer({ min: 1, max: RECORDS.length - 1 }), { maxLength: 12 })
  .map((cuts) => cuts.sort((x, y) => x - y));

describe("SurgeDetector determinism", () => {
  const expected = uninterrupted();

  it("finds the surges of the stream (so the properties below compare something)", () => {
    expect(expected.filter((m) => m.endedAt === undefined).map((m) => `${m.streamerId} ${m.emote}`)).toEqual([
      "a 🔥",
      "b ❤️",
      "a 😮",
    ]);
  });

  it("gives the same moments for any split into batches with the state restored from JSON", () => {
    fc.assert(
      fc.property(cutPoints, (cuts) => {
        expect(inBatches(cuts)).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it("gives the same moments when a batch is killed before its commit and replayed", () => {
    fc.assert(
      fc.property(cutPoints, fc.nat(), (cuts, crash) => {
        expect(inBatches(cuts, crash % (cuts.length + 1))).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it("gives the same moments for any split and replay of chat stamped in whole seconds or tenths", () => {
    for (const step of [1_000, 250, 100]) {
      const coarse = RECORDS.map((r) => ({ ...r, timestampMs: Math.floor(r.timestampMs / step) * step }));
      const whole = uninterrupted(coarse);
      expect(whole.length, `step ${step}`).toBeGreaterThan(0);
      fc.assert(
        fc.property(cutPoints, fc.nat(), (cuts, crash) => {
          expect(inBatches(cuts, crash % (cuts.length + 1), coarse)).toEqual(whole);
        }),
        { numRuns: 10 },
      );
    }
  });

  it("restores a checkpoint stored before the timestamps' resolution was kept, as whole seconds so far", () => {
    const detector = new SurgeDetector();
    for (const r of RECORDS.slice(0, 500)) detector.push(r);
    const json = surgeStateToJson(detector.state);
    expect(json.streamers.map(([, s]) => s.stepMs)).toEqual([1, 1]);
    const older = { ...json, streamers: json.streamers.map(([id, { stepMs: _new, ...s }]) => [id, s]) };
    const restored = new SurgeDetector(surgeStateFromJson(JSON.parse(JSON.stringify(older))));
    expect([...restored.state.values()].map((s) => s.stepMs)).toEqual([0, 0]);
    // The stream's next records in the millisecond bring it back.
    for (const r of RECORDS.slice(500, 600)) restored.push(r);
    expect([...restored.state.values()].map((s) => s.stepMs)).toEqual([1, 1]);
  });

  it("passes over a timestamp that is not a whole millisecond without hanging or keeping it as a resolution", () => {
    const detector = new SurgeDetector();
    for (const timestampMs of [Date.parse("2026-03-01T20:00:00Z"), Number.NaN, 1_772_395_200_000.25]) {
      detector.push({ streamerId: "a", emote: "🔥", timestampMs, viewer: "v" });
    }
    expect(detector.state.get("a")?.stepMs).toBe(0);
  });

  it("never throws on hostile records, and its state always round-trips through JSON", () => {
    const record = fc.record({
      streamerId: fc.constantFrom("a", "b"),
      emote: fc.string({ minLength: 1, maxLength: 4 }),
      timestampMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      viewer: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 300 }), (records) => {
        const detector = new SurgeDetector();
        for (const r of records) {
          const { viewer, ...rest } = r;
          detector.push(viewer === undefined ? rest : { ...rest, viewer });
        }
        const json = JSON.parse(JSON.stringify(surgeStateToJson(detector.state))) as unknown;
        expect(surgeStateToJson(surgeStateFromJson(json))).toEqual(json);
      }),
      { numRuns: 50 },
    );
  });
});
