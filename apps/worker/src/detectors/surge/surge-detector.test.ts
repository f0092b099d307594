import { describe, expect, it } from "vitest";
import type { DetectorRecord, SurgeMoment } from "../detector-types.ts";
import { audience, during, mix, POPULAR_MIX, syntheticChat, T0 } from "../../../test/synthetic-chat.ts";
import { MAX_VIEWERS_PER_EMOTE } from "./emote-track.ts";
import { DEFAULT_SURGE_SETTINGS, type SurgeSettings } from "./settings.ts";
import { MAX_CHATTERS_PER_STREAMER, MAX_EMOTES_PER_STREAMER, SurgeDetector } from "./surge-detector.ts";

function run(records: DetectorRecord[], settings: SurgeSettings = DEFAULT_SURGE_SETTINGS) {
  const detector = new SurgeDetector(new Map(), () => settings);
  const moments: SurgeMoment[] = [];
  for (const r of records) moments.push(...detector.push(r));
  return { detector, moments, onsets: moments.filter((m) => m.endedAt === undefined) };
}

const at = (s: number): number => T0 + s * 1000;

describe("SurgeDetector", () => {
  it("stays silent on a popular emote that always dominates", () => {
    const records = syntheticChat(1_200, [{ rate: () => 20, emote: POPULAR_MIX, viewer: audience(800) }]);
    expect(run(records).moments).toEqual([]);
  });

  it("stays silent while the audience doubles over half an hour", () => {
    const rate = (s: number): number => 8 * Math.pow(2, s / 1_800);
    const records = syntheticChat(1_800, [{ rate, emote: POPULAR_MIX, viewer: audience(600) }], 2);
    expect(run(records).moments).toEqual([]);
  });

  it("ignores one viewer spamming one emote", () => {
    const records = syntheticChat(
      900,
      [
        { rate: () => 4, emote: POPULAR_MIX, viewer: audience(300) },
        { rate: during(300, 340, 10), emote: () => "😢", viewer: () => "spammer" },
      ],
      3,
    );
    expect(run(records).moments).toEqual([]);
  });

  it("finds a few viewers' surge on a quiet stream, and nothing else in an hour", () => {
    const quiet = { rate: () => 0.7, emote: POPULAR_MIX, viewer: audience(200) };
    const calm = syntheticChat(3_600, [quiet], 4);
    expect(run(calm).moments).toEqual([]);

    const surge = { rate: during(600, 615, 3), emote: () => "😮", viewer: audience(5, "fan") };
    const { moments, onsets } = run(syntheticChat(900, [quiet, surge], 5));
    expect(onsets).toHaveLength(1);
    const [onset] = onsets;
    expect(onset?.emote).toBe("😮");
    const detected = Date.parse(onset?.detectedAt ?? "");
    expect(detected).toBeGreaterThanOrEqual(at(600));
    expect(detected).toBeLessThanOrEqual(at(605));
    expect(onset?.viewers).toBeGreaterThanOrEqual(3);
    // The end is an update of the same moment.
    const end = moments.find((m) => m.endedAt !== undefined);
    expect(end?.id).toBe(onset?.id);
    expect(Date.parse(end?.endedAt ?? "")).toBeGreaterThanOrEqual(at(612));
    expect(Date.parse(end?.endedAt ?? "")).toBeLessThanOrEqual(at(617));
  });

  it("finds a change of mix at a constant rate", () => {
    const shifted = mix({ "😮": 0.7, "😂": 0.12, "😀": 0.06, "❤️": 0.06, "👍": 0.06 });
    const records = syntheticChat(
      600,
      [
        {
          rate: () => 10,
          emote: (s, u) => (s >= 400 && s < 420 ? shifted(s, u) : POPULAR_MIX(s, u)),
          viewer: audience(500),
        },
      ],
      6,
    );
    const { onsets } = run(records);
    expect(onsets.map((m) => m.emote)).toEqual(["😮"]);
    expect(Date.parse(onsets[0]?.detectedAt ?? "")).toBeLessThanOrEqual(at(405));
  });

  it("reads chat stamped in whole seconds as it reads chat stamped in milliseconds", () => {
    const popular = { rate: () => 20, emote: POPULAR_MIX, viewer: audience(800) };
    const surge = { rate: during(600, 620, 12), emote: () => "😮", viewer: audience(60, "fan") };
    const chat = syntheticChat(1_200, [popular, surge], 7);
    const floored = (step: number) =>
      chat.map((r) => ({ ...r, timestampMs: Math.floor(r.timestampMs / step) * step }));
    // Every record of a second at its start: judged as if the second were over, not as a
    // second's records sent in its first millisecond (which was an alarm a minute).
    for (const step of [1_000, 100]) {
      const { onsets, detector } = run(floored(step));
      expect(onsets.map((m) => m.emote)).toEqual(["😮"]);
      expect(Date.parse(onsets[0]?.detectedAt ?? "")).toBeLessThanOrEqual(at(605));
      expect(detector.state.get("s1")?.stepMs).toBe(step === 1_000 ? 0 : 100);
    }
    const { onsets, detector } = run(chat);
    expect(onsets.map((m) => m.emote)).toEqual(["😮"]);
    expect(detector.state.get("s1")?.stepMs).toBe(1);
  });

  it("works on records without a viewer", () => {
    const records = syntheticChat(
      600,
      [
        { rate: () => 5, emote: POPULAR_MIX, viewer: () => undefined },
        { rate: during(300, 320, 8), emote: () => "🔥", viewer: () => undefined },
      ],
      7,
    );
    expect(run(records).onsets.map((m) => m.emote)).toEqual(["🔥"]);
  });

  it("needs the minimum of distinct viewers, and holds the cooldown", () => {
    const base = { rate: () => 3, emote: POPULAR_MIX, viewer: audience(300) };
    const twoFans = { rate: during(300, 330, 6), emote: () => "🔥", viewer: audience(2, "fan") };
    expect(run(syntheticChat(600, [base, twoFans], 8)).onsets).toEqual([]);

    const crowd = audience(30, "fan");
    const twice = [
      base,
      {
        rate: (s: number) => ((s >= 300 && s < 315) || (s >= 322 && s < 332) ? 8 : 0),
        emote: () => "🔥",
        viewer: crowd,
      },
    ];
    expect(run(syntheticChat(600, twice, 9)).onsets).toHaveLength(1);
    const noCooldown = run(syntheticChat(600, twice, 9), { ...DEFAULT_SURGE_SETTINGS, cooldownMs: 0 });
    expect(noCooldown.onsets).toHaveLength(2);
  });

  it("puts a slightly late record in its own second and clamps a very late one", () => {
    const detector = new SurgeDetector();
    detector.push({ streamerId: "s", emote: "😀", timestampMs: at(100), viewer: "a" });
    detector.push({ streamerId: "s", emote: "😀", timestampMs: at(99), viewer: "b" });
    detector.push({ streamerId: "s", emote: "😀", timestampMs: at(-3_600), viewer: "c" });
    const track = detector.state.get("s")?.emotes.get("😀")?.track;
    const seconds = track?.ringSec.filter((s) => s >= 0).sort();
    expect(seconds).toEqual([at(98) / 1000, at(99) / 1000, at(100) / 1000]);
  });

  it("forgets idle streamers", () => {
    const detector = new SurgeDetector();
    detector.push({ streamerId: "old", emote: "😀", timestampMs: at(0) });
    detector.push({ streamerId: "new", emote: "😀", timestampMs: at(600) });
    expect(detector.evictIdle(at(300))).toBe(1);
    expect([...detector.state.keys()]).toEqual(["new"]);
  });

  it("keeps its memory per streamer bounded", () => {
    const detector = new SurgeDetector();
    for (let i = 0; i < 5_000; i++) {
      detector.push({ streamerId: "s", emote: `e${i % 500}`, timestampMs: at(i / 50), viewer: `v${i}` });
      detector.push({ streamerId: "s", emote: "😀", timestampMs: at(i / 50), viewer: `w${i}` });
    }
    const streamer = detector.state.get("s");
    expect(streamer?.emotes.size).toBe(MAX_EMOTES_PER_STREAMER);
    expect(streamer?.emotes.get("😀")?.track.viewers.size).toBeLessThanOrEqual(MAX_VIEWERS_PER_EMOTE);
    expect(streamer?.chatters.size).toBe(MAX_CHATTERS_PER_STREAMER);
  });

  it("remembers an emote's recent viewers only, and a surge's every viewer until its end", () => {
    // A big audience at 10 emotes/s: an emote's viewers of the last minutes number in the hundreds.
    const base = { rate: () => 10, emote: POPULAR_MIX, viewer: audience(2_000) };
    // 60 fans, each sending 😮 once, spread over a 30 s reaction.
    const fans = { rate: during(600, 630, 2), emote: () => "😮", viewer: audience(60, "fan") };
    const records = syntheticChat(700, [base, fans], 12);
    const detector = new SurgeDetector();
    let largest = 0;
    const moments: SurgeMoment[] = [];
    for (const r of records) {
      moments.push(...detector.push(r));
      for (const emote of detector.state.get(r.streamerId)?.emotes.values() ?? []) {
        if (!emote.surge) largest = Math.max(largest, emote.track.viewers.size);
      }
    }
    // 😂 is sent about 4 times a second and at most 18 s of an emote's viewers are kept: ~72,
    // not the hundreds that sent it in the last minutes.
    expect(largest).toBeLessThanOrEqual(120);
    const end = moments.find((m) => m.emote === "😮" && m.endedAt !== undefined);
    const fansSeen = new Set(records.filter((r) => r.viewer?.startsWith("fan")).map((r) => r.viewer));
    expect(end?.viewers).toBeGreaterThanOrEqual(fansSeen.size);
  });

  it("finds a change of mix at constant rate within 5 s: 40 % of the chat switching to 😮", () => {
    const switched = (s: number): boolean => s >= 400 && s < 420;
    const records = syntheticChat(
      600,
      [
        { rate: (s) => (switched(s) ? 6 : 10), emote: POPULAR_MIX, viewer: audience(400) },
        { rate: (s) => (switched(s) ? 4 : 0), emote: () => "😮", viewer: audience(400) },
      ],
      21,
    );
    const { onsets } = run(records);
    expect(onsets.map((m) => m.emote)).toEqual(["😮"]);
    const firstSwitched = records.find((r) => r.emote === "😮" && r.timestampMs >= at(400))?.timestampMs ?? 0;
    expect(Date.parse(onsets[0]?.detectedAt ?? "") - firstSwitched).toBeLessThanOrEqual(5_000);
  });

  it("gives no alarm from chance on a quiet stream over two hours, and none just after its warm-up", () => {
    for (const seed of [31, 32, 33]) {
      const records = syntheticChat(
        7_200,
        [{ rate: () => 1, emote: POPULAR_MIX, viewer: audience(40) }],
        seed,
      );
      expect(run(records).moments).toEqual([]);
    }
  });

  it("keeps the sum of its baselines equal to the emotes' baselines as emotes come and go", () => {
    const detector = new SurgeDetector();
    for (let i = 0; i < 20_000; i++) {
      detector.push({
        streamerId: "s",
        emote: `e${(i * 7) % 90}`,
        timestampMs: at(i / 5),
        viewer: `v${i % 50}`,
      });
    }
    const streamer = detector.state.get("s");
    let sum = 0;
    for (const emote of streamer?.emotes.values() ?? []) sum += emote.track.rate;
    expect(streamer?.emotes.size).toBe(MAX_EMOTES_PER_STREAMER);
    expect(streamer?.totals.baselineSum).toBeCloseTo(sum, 9);
  });

  it("finds a reaction of viewers new to the chat sooner than the same reaction of regulars", () => {
    // 300 regulars at 6 emotes/s: each has chatted within the last few minutes.
    const base = { rate: () => 6, emote: POPULAR_MIX, viewer: audience(300) };
    const surgeOf = (viewer: (u: number) => string) => ({
      rate: during(400, 430, 2),
      emote: () => "😢",
      viewer,
    });
    const detectedAt = (viewer: (u: number) => string): number => {
      const { onsets } = run(syntheticChat(600, [base, surgeOf(viewer)], 10));
      expect(onsets.map((m) => m.emote)).toEqual(["😢"]);
      return Date.parse(onsets[0]?.detectedAt ?? "");
    };
    const regulars = detectedAt(audience(8, "v"));
    const newcomers = detectedAt(audience(8, "new"));
    expect(newcomers).toBeGreaterThanOrEqual(at(400));
    expect(newcomers).toBeLessThan(regulars);
  });
});
