import { describe, expect, it } from "vitest";
import { SurgeCounts } from "./surge-counts.ts";

const T0 = Date.UTC(2026, 0, 1);

/** 70 distinct emotes in one second (more than are counted apart), then a few ordinary records. */
function feed(counts: SurgeCounts, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const emote = i < 70 ? `e${i}` : i % 2 === 0 ? "🔥" : "😮";
    counts.add(emote, T0 + (i < 70 ? 0 : (i - 69) * 300));
  }
}

describe("SurgeCounts", () => {
  it("counts the same after a restore from its JSON, with a full second and surges open", () => {
    const whole = new SurgeCounts();
    const split = new SurgeCounts();
    feed(whole, 0, 68);
    feed(split, 0, 68);
    expect(split.open("a", "🔥", T0)).toEqual(whole.open("a", "🔥", T0));
    expect(split.open("b", "e3", T0)).toEqual(whole.open("b", "e3", T0));

    const restored = new SurgeCounts(JSON.parse(JSON.stringify(split.state)) as SurgeCounts["state"]);
    feed(whole, 68, 120);
    feed(restored, 68, 120);

    expect(restored.state).toEqual(whole.state);
    expect(Object.keys(restored.state.emotes[0] ?? {})).toHaveLength(64);
    expect(restored.close("a")).toEqual(whole.close("a"));
    expect(whole.state.open).toEqual({ b: expect.objectContaining({ emote: "e3" }) });
    expect(restored.close("b")).toEqual(whole.close("b"));
    // With every surge closed, later records change no surge's counts.
    feed(restored, 120, 130);
    expect(restored.state.open).toEqual({});
    expect(restored.close("a")).toEqual({ count: 0, total: 0 });
  });

  it("counts an opened surge's records from its onset on", () => {
    const counts = new SurgeCounts();
    counts.add("🔥", T0);
    counts.add("😮", T0 + 1_000);
    expect(counts.open("s", "🔥", T0 + 1_000)).toEqual({ count: 0, total: 1 });
    counts.add("🔥", T0 + 1_500);
    counts.add("😮", T0 + 2_000);
    expect(counts.close("s")).toEqual({ count: 1, total: 3 });
  });
});
