import { streamerIdSchema } from "@emote/contracts";
import { describe, expect, it } from "vitest";
import { independentCorpora } from "./independent.ts";

describe("independentCorpora", () => {
  const corpora = independentCorpora(21);

  it("builds the five scenarios, the same for the same seed", () => {
    expect(corpora.map((c) => c.scenario)).toEqual([
      "drift (independent)",
      "mix shift (independent)",
      "quiet (independent)",
      "spam (independent)",
      "interleaved (independent)",
    ]);
    const again = independentCorpora(21);
    expect(again.map((c) => [c.records.length, c.labels])).toEqual(
      corpora.map((c) => [c.records.length, c.labels]),
    );
  });

  it("writes records in time order with valid streamers, and labels that start at a record of their emote", () => {
    for (const c of corpora) {
      const streamers = new Set(c.records.map((r) => r.streamerId));
      for (const s of streamers) expect(streamerIdSchema.safeParse(s).success, s).toBe(true);
      const inOrder = c.records.every(
        (r, i) => i === 0 || r.timestampMs >= (c.records[i - 1]?.timestampMs ?? 0),
      );
      expect(inOrder, c.scenario).toBe(true);
      // Every 1–5 min per streamer: tens of surges per scenario.
      expect(c.labels.length).toBeGreaterThan(20);
      const starts = new Set(c.records.map((r) => `${r.streamerId} ${r.emote} ${r.timestampMs}`));
      for (const l of c.labels) {
        expect(starts.has(`${l.streamerId} ${l.emote} ${l.onsetMs}`)).toBe(true);
        expect(l.endMs).toBeGreaterThan(l.onsetMs);
      }
    }
  });
});
