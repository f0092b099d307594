import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DetectorRecord, SurgeMoment } from "../detector-types.ts";
import { audience, during, POPULAR_MIX, syntheticChat } from "../../../test/synthetic-chat.ts";
import { SurgeDetector, type SurgeState } from "./surge-detector.ts";
import { surgeStateFromJson, surgeStateToText, type SurgeStateJson } from "./surge-state.ts";

function surgeStateToJson(state: SurgeState): SurgeStateJson {
  return JSON.parse(surgeStateToText(state)) as SurgeStateJson;
}

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

/**
 * The detector's state after RECORDS' first V4_CUT records (40 after the first onset, the
 * surge still on), as version 4 wrote it: made with the code of a78060c, the last before number columns.
 */
const V4_CUT = 340;
const version4 = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/surge-state-v4.json", import.meta.url), "utf8"),
) as { version: 4; streamers: [string, { stepMs: number }][] };

function uninterrupted(records = RECORDS): SurgeMoment[] {
  const detector = new SurgeDetector();
  return records.flatMap((r) => detector.push(r));
}

/** Batches between cut points, the state saved as JSON text after each (as a checkpoint would be). */
function inBatches(cuts: number[], crashAfter?: number, records = RECORDS): SurgeMoment[] {
  const bounds = [0, ...cuts, records.length];
  const committed: SurgeMoment[] = [];
  let checkpoint = surgeStateToText(new Map());
  for (let b = 0; b + 1 < bounds.length; b++) {
    const detector = new SurgeDetector(surgeStateFromJson(JSON.parse(checkpoint)));
    const moments = records.slice(bounds[b], bounds[b + 1]).flatMap((r) => detector.push(r));
    if (b === crashAfter) {
      // Killed before the commit: this batch's moments and state are lost; it is replayed.
      const replayed = new SurgeDetector(surgeStateFromJson(JSON.parse(checkpoint)));
      const again = records.slice(bounds[b], bounds[b + 1]).flatMap((r) => replayed.push(r));
      expect(again).toEqual(moments);
      checkpoint = surgeStateToText(replayed.state);
      committed.push(...again);
      continue;
    }
    checkpoint = surgeStateToText(detector.state);
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

  it("continues from a version 4 checkpoint (every number in JSON) as from its own", () => {
    const detector = new SurgeDetector();
    for (const r of RECORDS.slice(0, V4_CUT)) detector.push(r);
    const restored = new SurgeDetector(surgeStateFromJson(version4));
    expect(surgeStateToJson(restored.state)).toEqual(surgeStateToJson(detector.state));
    const rest = RECORDS.slice(V4_CUT);
    expect(rest.flatMap((r) => restored.push(r))).toEqual(rest.flatMap((r) => detector.push(r)));
  });

  it("restores a version 4 checkpoint stored before the timestamps' resolution was kept, as whole seconds so far", () => {
    const older = {
      ...version4,
      streamers: version4.streamers.map(([id, { stepMs: _new, ...s }]) => [id, s]),
    };
    const restored = new SurgeDetector(surgeStateFromJson(older));
    expect([...restored.state.values()].map((s) => s.stepMs)).toEqual([0, 0]);
    // The stream's next records in the millisecond bring it back.
    for (const r of RECORDS.slice(V4_CUT, V4_CUT + 100)) restored.push(r);
    expect([...restored.state.values()].map((s) => s.stepMs)).toEqual([1, 1]);
  });

  it("refuses a checkpoint whose number columns are not base64 or not what they say", () => {
    const detector = new SurgeDetector();
    for (const r of RECORDS.slice(0, V4_CUT)) detector.push(r);
    const json = surgeStateToJson(detector.state);
    const [id, streamer] = json.streamers[0] as SurgeStateJson["streamers"][number];
    const withStreamer = (s: object) => ({ ...json, streamers: [[id, { ...streamer, ...s }]] });
    expect(() => surgeStateFromJson(withStreamer({ chatters: "not base64!" }))).toThrow(/chatters/);
    expect(() => surgeStateFromJson(withStreamer({ totals: streamer.chatters }))).toThrow(/number column/);
    const [name, emote] = streamer.emotes[0] as SurgeStateJson["streamers"][number][1]["emotes"][number];
    expect(() =>
      surgeStateFromJson(withStreamer({ emotes: [[name, { ...emote, track: emote.viewers }]] })),
    ).toThrow(/number column/);
    expect(surgeStateToJson(surgeStateFromJson(json))).toEqual(json);
  });

  it("passes over a timestamp that is not a whole millisecond without hanging or keeping it as a resolution", () => {
    const detector = new SurgeDetector();
    for (const timestampMs of [Date.parse("2026-03-01T20:00:00Z"), Number.NaN, 1_772_395_200_000.25]) {
      detector.push({ streamerId: "a", emote: "🔥", timestampMs, viewer: "v" });
    }
    expect(detector.state.get("a")?.stepMs).toBe(0);
  });

  it("never throws on hostile records, and its state is always JSON that round-trips", () => {
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
        const text = surgeStateToText(detector.state);
        // Written out by hand, it is the text JSON.stringify would write for what it holds.
        expect(JSON.stringify(JSON.parse(text))).toBe(text);
        const json = JSON.parse(text) as unknown;
        expect(surgeStateToJson(surgeStateFromJson(json))).toEqual(json);
      }),
      { numRuns: 50 },
    );
  });
});
