import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type Moment } from "@emote/contracts";
import { lastMomentPosition, settingsAudit, eq, desc } from "@emote/db";
import {
  insertIntensity,
  insertStream,
  storeMoments,
  surgeMoment,
  type StreamFixture,
} from "@emote/db/test-fixtures";
import { errorShapeOf, type Caller, type LiveSources } from "../../src/index.ts";
import { conn, createCaller, errorOf, noLive } from "./router-harness.ts";

const later = () => Date.now() + 3_600_000;
const as = (caller: Caller, live: LiveSources = noLive) =>
  createCaller({ db: conn.db, caller, live, requestId: "streams-test" });
const viewer = as({ kind: "anonymous", role: "viewer" });
const admin = as({ kind: "token", role: "admin", sub: "admin", expiresAt: later() });
const unique = () => `st-${randomUUID().slice(0, 8)}`;

/** The one-line message a client reads (the API's error formatter applied). */
async function refusal(call: Promise<unknown>, path: string, input: unknown): Promise<string> {
  const err = await errorOf(call);
  expect(err.code).toBe("BAD_REQUEST");
  return errorShapeOf(err, { path, type: "query", input, ctx: undefined }).message;
}

/** Two streams of one streamer: an old one of 3 h, a recent one of 2 min. */
const streamerId = unique();
// In the past (a stream whose last emote is recent is live), a day of its own per run.
const base = Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 5_000) * 86_400_000;
const old: StreamFixture = {
  id: `${streamerId}:${base}`,
  streamerId,
  startedAt: new Date(base),
  lastEmoteAt: new Date(base + 3 * 3_600_000),
  emotes: 50_000,
};
const recent: StreamFixture = {
  id: `${streamerId}:${base + 86_400_000}`,
  streamerId,
  startedAt: new Date(base + 86_400_000),
  lastEmoteAt: new Date(base + 86_400_000 + 120_000),
  emotes: 900,
};
const at = (s: StreamFixture, ms: number) => new Date(s.startedAt.getTime() + ms);

// The old stream's surges: one the rule also found (its 😂 minute overlaps), one it did not.
const found = surgeMoment(`${streamerId}-s1`, streamerId, "😂", {
  startedAt: at(old, 600_000 + 20_000).toISOString(),
  endedAt: at(old, 600_000 + 50_000).toISOString(),
  score: 9,
});
const missed = surgeMoment(`${streamerId}-s2`, streamerId, "😮", {
  startedAt: at(old, 3_600_000 + 5_000).toISOString(),
  score: 4,
});
const rule = (id: string, emote: string, minute: Date): Moment => ({
  id: `${streamerId}-${id}`,
  streamerId,
  emote,
  timestamp: minute.toISOString(),
  count: 10,
  total: 20,
  ratio: 0.5,
});
const ruleMoments = [
  rule("t1", "😂", at(old, 600_000)),
  // Same minute as the 😮 surge, another emote: not a find.
  rule("t2", "🔥", at(old, 3_600_000)),
  rule("t3", "🔥", at(old, 7_200_000)),
];

beforeAll(async () => {
  for (const s of [old, recent]) await insertStream(conn.db, s);
  await insertIntensity(conn.db, old, [
    { bucketStart: at(old, 0), emotes: 10, viewers: 4, leading: [{ emote: "🔥", count: 6 }] },
    {
      bucketStart: at(old, 10_000),
      emotes: 30,
      viewers: 7,
      leading: [
        { emote: "😂", count: 20 },
        { emote: "🔥", count: 5 },
      ],
    },
    {
      bucketStart: at(old, 600_000 + 20_000),
      emotes: 90,
      viewers: 25,
      leading: [{ emote: "😂", count: 80 }],
    },
    { bucketStart: at(old, 3 * 3_600_000), emotes: 3, viewers: 2, leading: [{ emote: "😮", count: 3 }] },
  ]);
  await storeMoments(conn.db, [...ruleMoments, found, missed]);
});

describe("streams.list", () => {
  it("lists a streamer's streams newest first, a page at a time", async () => {
    const first = await viewer.streams.list({ streamerId, limit: 1 });
    expect(first.items.map((s) => s.id)).toEqual([recent.id]);
    expect(first.items[0]).toEqual({
      id: recent.id,
      streamerId,
      startedAt: recent.startedAt.toISOString(),
      lastEmoteAt: recent.lastEmoteAt.toISOString(),
      emotes: 900,
      live: false,
    });
    expect(first.nextCursor).not.toBeNull();
    const second = await viewer.streams.list({ streamerId, limit: 1, cursor: first.nextCursor });
    expect(second.items.map((s) => s.id)).toEqual([old.id]);
    expect(second.nextCursor).toBeNull();
    expect((await viewer.streams.list({ streamerId: unique() })).items).toEqual([]);
  });

  it.each([
    [{ streamerId: ".." }, "streamerId"],
    [{ streamerId, limit: 0 }, "limit"],
    [{ streamerId, limit: 101 }, "limit"],
    [{ streamerId, limit: 1.5 }, "limit"],
    [{ streamerId, cursor: "yesterday" }, "cursor"],
    [{ streamerId, cursor: "0000-01-01T00:00:00Z" }, "cursor"],
    [{}, "streamerId"],
  ])("rejects %j with BAD_REQUEST naming %s", async (input, field) => {
    const err = await errorOf(viewer.streams.list(input as { streamerId: string }));
    expect(err.code).toBe("BAD_REQUEST");
    const shape = errorShapeOf(err, { path: "streams.list", type: "query", input, ctx: undefined });
    expect(shape.message).toMatch(new RegExp(`^${field}: `));
  });
});

describe("streams.timeline", () => {
  it("gives the 10 s buckets, the surges in onset order and the rule's count", async () => {
    const t = await viewer.streams.timeline({ streamId: old.id, maxSlots: 4_320 });
    expect(t.slotMs).toBe(10_000);
    expect(t.stream.id).toBe(old.id);
    expect(t.slots).toEqual([
      { start: at(old, 0).toISOString(), emotes: 10, viewers: 4, leading: [{ emote: "🔥", count: 6 }] },
      {
        start: at(old, 10_000).toISOString(),
        emotes: 30,
        viewers: 7,
        leading: [
          { emote: "😂", count: 20 },
          { emote: "🔥", count: 5 },
        ],
      },
      {
        start: at(old, 620_000).toISOString(),
        emotes: 90,
        viewers: 25,
        leading: [{ emote: "😂", count: 80 }],
      },
      {
        start: at(old, 3 * 3_600_000).toISOString(),
        emotes: 3,
        viewers: 2,
        leading: [{ emote: "😮", count: 3 }],
      },
    ]);
    expect(t.surges.map((m) => m.id)).toEqual([found.id, missed.id]);
    expect(t.surges[0]).toMatchObject({ kind: "surge", surge: found.surge });
    expect(t.surgesTruncated).toBe(false);
    expect(t.thresholdMoments).toBe(3);
  });

  it("downsamples a long stream to at most maxSlots: emotes add up, viewers are the busiest bucket's", async () => {
    const t = await viewer.streams.timeline({ streamId: old.id, maxSlots: 10 });
    // 3 h = 1,081 buckets of 10 s: 109 buckets (18 min 10 s) per slot.
    expect(t.slotMs).toBe(1_090_000);
    expect(t.slots.length).toBeLessThanOrEqual(10);
    expect(t.slots[0]).toEqual({
      start: at(old, 0).toISOString(),
      emotes: 130,
      viewers: 25,
      leading: [
        { emote: "😂", count: 100 },
        { emote: "🔥", count: 11 },
      ],
    });
    expect(t.slots.reduce((n, s) => n + s.emotes, 0)).toBe(133);
  });

  it("starts the slots at the bucket the stream's first emote is in", async () => {
    const day = base + 2 * 86_400_000;
    const unaligned: StreamFixture = {
      id: `${streamerId}:${day + 3_000}`,
      streamerId,
      startedAt: new Date(day + 3_000),
      lastEmoteAt: new Date(day + 25_000),
      emotes: 7,
    };
    await insertStream(conn.db, unaligned);
    await insertIntensity(conn.db, unaligned, [
      { bucketStart: new Date(day), emotes: 3, viewers: 1, leading: [] },
      { bucketStart: new Date(day + 20_000), emotes: 4, viewers: 2, leading: [] },
    ]);
    for (const maxSlots of [720, 1]) {
      const t = await viewer.streams.timeline({ streamId: unaligned.id, maxSlots });
      expect(t.slots[0]?.start).toBe(new Date(day).toISOString());
      expect(t.slots.reduce((n, s) => n + s.emotes, 0)).toBe(7);
    }
  });

  it("answers NOT_FOUND for a stream that does not exist, BAD_REQUEST for bad input", async () => {
    const missing = await errorOf(viewer.streams.timeline({ streamId: "nope" }));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toMatch(/^streamId: there is no stream "nope"/);
    for (const [input, field] of [
      [{ streamId: "" }, "streamId"],
      [{ streamId: "a\u0000b" }, "streamId"],
      [{ streamId: "x".repeat(201) }, "streamId"],
      [{ streamId: old.id, maxSlots: 0 }, "maxSlots"],
      [{ streamId: old.id, maxSlots: 4_321 }, "maxSlots"],
      [{ streamId: old.id, maxSlots: "10" }, "maxSlots"],
    ] as const) {
      const err = await errorOf(viewer.streams.timeline(input as { streamId: string }));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toContain(field);
    }
  });
});

describe("streams.compare", () => {
  it("counts each detector's moments per hour and says which surges the rule found", async () => {
    const c = await viewer.streams.compare({ streamId: old.id });
    expect(c.hours).toBe(3);
    expect(c.threshold).toEqual({ moments: 3, perHour: 1, surgesFound: 1 });
    expect(c.surge).toEqual({ moments: 2, perHour: 2 / 3, surgesFound: 2 });
    expect(c.surges.map((s) => [s.moment.id, s.foundByThreshold])).toEqual([
      [found.id, true],
      [missed.id, false],
    ]);
    const empty = await viewer.streams.compare({ streamId: recent.id });
    expect(empty.threshold.moments).toBe(0);
    expect(empty.surges).toEqual([]);
    expect((await errorOf(viewer.streams.compare({ streamId: "nope" }))).code).toBe("NOT_FOUND");
  });
});

describe("moments.history kind", () => {
  it("filters by the detector that found a moment", async () => {
    const surges = await viewer.moments.history({ streamerId, kind: "surge" });
    expect(surges.items.map((m) => m.id).sort()).toEqual([found.id, missed.id].sort());
    const rules = await viewer.moments.history({ streamerId, kind: "threshold" });
    expect(rules.items.map((m) => m.id).sort()).toEqual(ruleMoments.map((m) => m.id).sort());
    const input = { streamerId, kind: "magic" as "surge" };
    expect(await refusal(viewer.moments.history(input), "moments.history", input)).toBe(
      "kind: A detector is one of threshold, surge",
    );
  });
});

describe("moments.live kinds", () => {
  /** A feed that emits what the test gives it, from the log's next position on. */
  async function liveWith(kinds: ("threshold" | "surge")[] | undefined, emitted: Moment[]) {
    const next = (await lastMomentPosition(conn.db)) + 1;
    const live: LiveSources = {
      ...noLive,
      moments: {
        // Once the subscription listens, the live moments come (after its backfill is read).
        subscribe: (listener) => {
          const timer = setTimeout(() => emitted.forEach((m) => listener(m)), 0);
          return () => clearTimeout(timer);
        },
        nextPosition: () => next,
      },
    };
    const controller = new AbortController();
    const api = createCaller(
      { db: conn.db, caller: { kind: "anonymous", role: "viewer" }, live, requestId: "t" },
      { signal: controller.signal },
    );
    // From the first rule moment on: the rest of this streamer's stored moments come first.
    const stream = await api.moments.live({
      streamerId,
      lastEventId: ruleMoments[0]?.id ?? null,
      ...(kinds && { kinds }),
    });
    return { stream, stop: () => controller.abort() };
  }

  async function take(stream: AsyncIterable<unknown>, n: number): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of stream) {
      // A tracked event: [id, data].
      ids.push((item as [string])[0]);
      if (ids.length === n) break;
    }
    return ids;
  }

  it("delivers only the seed's rule by default (backfill and live), surges on request", async () => {
    const liveRule = rule("live-rule", "🔥", new Date(base + 2 * 86_400_000));
    const liveSurge = surgeMoment(`${streamerId}-live-surge`, streamerId, "🔥", {
      startedAt: new Date(base + 2 * 86_400_000).toISOString(),
    });
    const emitted = [
      { ...liveSurge, position: 1e12 },
      { ...liveRule, position: 1e12 + 1 },
    ];
    const byDefault = await liveWith(undefined, emitted);
    const surgesOnly = await liveWith(["surge"], emitted);
    const both = await liveWith(["threshold", "surge"], emitted);
    expect(await take(byDefault.stream, 3)).toEqual([ruleMoments[1]?.id, ruleMoments[2]?.id, liveRule.id]);
    expect(await take(surgesOnly.stream, 3)).toEqual([found.id, missed.id, liveSurge.id]);
    expect(await take(both.stream, 6)).toEqual([
      ruleMoments[1]?.id,
      ruleMoments[2]?.id,
      found.id,
      missed.id,
      liveSurge.id,
      liveRule.id,
    ]);
    for (const l of [byDefault, surgesOnly, both]) l.stop();
  });

  const KINDS = "kinds: Kinds must be a list of 1 to 2 of threshold, surge, each once";
  it.each([
    [[], KINDS],
    [["surge", "surge"], KINDS],
    ["surge", KINDS],
    [["other"], "kinds.0: A detector is one of threshold, surge"],
  ])("rejects kinds %j with BAD_REQUEST: %s", async (kinds, message) => {
    const input = { kinds: kinds as ["surge"] };
    const call = (async () => {
      const stream = await viewer.moments.live(input);
      for await (const item of stream) void item;
    })();
    // A text where a list belongs is refused twice over, in the same words.
    expect(await refusal(call, "moments.live", input)).toMatch(new RegExp(`^${message}(; |$)`));
  });
});

describe("settings.update: detectors and surge", () => {
  it("changes the detectors and some surge knobs, keeping the others, and audits it", async () => {
    const id = unique();
    const after = await admin.settings.update({
      streamerId: id,
      detectors: ["surge"],
      surge: { minViewers: 8 },
    });
    expect(after).toEqual({
      ...DEFAULT_SETTINGS,
      detectors: ["surge"],
      surge: { ...DEFAULT_SETTINGS.surge, minViewers: 8 },
    });
    const again = await admin.settings.update({ streamerId: id, surge: { sensitivity: 0.8 } });
    expect(again.surge).toEqual({ ...DEFAULT_SETTINGS.surge, minViewers: 8, sensitivity: 0.8 });
    expect(await viewer.settings.get({ streamerId: id })).toEqual(again);
    const [audit] = await conn.db
      .select()
      .from(settingsAudit)
      .where(eq(settingsAudit.streamerId, id))
      .orderBy(desc(settingsAudit.id))
      .limit(1);
    expect(audit?.before).toEqual(after);
    expect(audit?.after).toEqual(again);
  });

  it.each([
    [{ detectors: [] }, "detectors: Detectors must be a list of 1 to 2 of threshold, surge, each once"],
    [
      { detectors: ["surge", "surge"] },
      "detectors: Detectors must be a list of 1 to 2 of threshold, surge, each once",
    ],
    [{ detectors: ["magic"] }, "detectors.0: A detector is one of threshold, surge"],
    [
      { surge: { sensitivity: 1.5 } },
      "surge.sensitivity: Surge sensitivity must be from 0 (only the strongest surges) to 1 (the faintest)",
    ],
    [
      { surge: { sensitivity: "high" } },
      "surge.sensitivity: Surge sensitivity must be from 0 (only the strongest surges) to 1 (the faintest)",
    ],
    [
      { surge: { minViewers: 0 } },
      "surge.minViewers: Surge minimum viewers must be a whole number from 1 to 1,000",
    ],
    [
      { surge: { minViewers: 2.5 } },
      "surge.minViewers: Surge minimum viewers must be a whole number from 1 to 1,000",
    ],
    [
      { surge: { cooldownMs: 3_600_001 } },
      "surge.cooldownMs: Surge cooldown must be a whole number of milliseconds from 0 to 3,600,000 (one hour)",
    ],
    [{ surge: { cooldown: 5 } }, "surge: has unknown field cooldown"],
  ])("rejects %j with BAD_REQUEST in the field's words, changing nothing", async (patch, message) => {
    const streamerId = unique();
    const input = { streamerId, ...patch } as Parameters<typeof admin.settings.update>[0];
    const err = await errorOf(admin.settings.update(input));
    expect(err.code).toBe("BAD_REQUEST");
    const shape = errorShapeOf(err, { path: "settings.update", type: "mutation", input, ctx: undefined });
    expect(shape.message).toBe(message);
    expect(await viewer.settings.get({ streamerId })).toEqual(DEFAULT_SETTINGS);
  });
});
