import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { TrendingBoard } from "@emote/contracts";
import { commitMerge, moments } from "@emote/db";
import type { Caller, LiveSources, TrendingFeed } from "../../src/index.ts";
import { conn, createCaller, errorOf, noLive } from "./router-harness.ts";

const token = (claims: Omit<Extract<Caller, { kind: "token" }>, "kind" | "expiresAt">): Caller => ({
  kind: "token",
  expiresAt: Date.now() + 3_600_000,
  ...claims,
});
const admin = token({ role: "admin", sub: "alice" });
const viewer: Caller = { kind: "anonymous", role: "viewer" };
const as = (caller: Caller, live: LiveSources = noLive) =>
  createCaller({ db: conn.db, caller, live, requestId: randomUUID() });

function board(seq: number, at: number): TrendingBoard {
  return {
    seq,
    at: new Date(at).toISOString(),
    windows: [
      { minutes: 1, emotes: [{ emote: "🔥", score: 4, count: 20, expected: 2, surgingIn: 1 }], error: 0 },
    ],
    surging: [],
    liveSurges: 0,
    intensity: [],
  };
}

/** A tracked event reaches an in-process caller as [id, data, marker]. */
async function nextEvent(it: AsyncIterator<unknown>): Promise<[string, TrendingBoard]> {
  const { value } = await it.next();
  return value as [string, TrendingBoard];
}

/** A feed whose boards the test pushes. */
function testFeed(latest: TrendingBoard | undefined) {
  const listeners = new Set<(b: TrendingBoard) => void>();
  let newest = latest;
  const feed: TrendingFeed = {
    latest: () => newest,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return {
    feed,
    push(b: TrendingBoard) {
      newest = b;
      for (const l of listeners) l(b);
    },
    listening: () => listeners.size,
  };
}

describe("trending.history", () => {
  const t0 = Date.UTC(2005, 0, 1) + Math.floor(Math.random() * 1_000_000) * 60_000;
  beforeAll(async () => {
    const groupId = `api-trending-${randomUUID().slice(0, 8)}`;
    let applied: Record<string, number> | null = null;
    for (let seq = 1; seq <= 5; seq++) {
      const next = { s: seq };
      await commitMerge(conn.db, {
        groupId,
        previousApplied: applied,
        applied: next,
        state: {},
        // Buckets 1 and 2 as a merge from before viewers were counted stored them.
        intensity: [
          { bucketStart: t0 + seq * 10_000, emotes: seq * 3, ...(seq >= 3 && { viewers: seq * 2 }) },
        ],
        board: { seq, at: new Date(t0 + seq * 10_000), value: board(seq, t0 + seq * 10_000) },
      });
      applied = next;
    }
    // A later batch adds emotes to bucket 5 and raises its viewers: the estimate replaces the stored one.
    await commitMerge(conn.db, {
      groupId,
      previousApplied: applied,
      applied: { s: 6 },
      state: {},
      intensity: [{ bucketStart: t0 + 5 * 10_000, emotes: 1, viewers: 11 }],
    });
  });

  it("answers the boards and the intensity of the range (emotes and distinct viewers), oldest first", async () => {
    const h = await as(viewer).trending.history({
      from: new Date(t0).toISOString(),
      to: new Date(t0 + 60_000).toISOString(),
    });
    expect(h.boards.map((b) => b.seq)).toEqual([1, 2, 3, 4, 5]);
    const bucket = (s: number) => new Date(t0 + s * 10_000).toISOString();
    expect(h.intensity).toEqual([
      { bucketStart: bucket(1), emotes: 3 },
      { bucketStart: bucket(2), emotes: 6 },
      { bucketStart: bucket(3), emotes: 9, viewers: 6 },
      { bucketStart: bucket(4), emotes: 12, viewers: 8 },
      { bucketStart: bucket(5), emotes: 16, viewers: 11 },
    ]);
  });

  it("thins the boards evenly to the limit", async () => {
    const h = await as(viewer).trending.history({
      from: new Date(t0).toISOString(),
      to: new Date(t0 + 60_000).toISOString(),
      limit: 3,
    });
    expect(h.boards.map((b) => b.seq)).toEqual([1, 3, 5]);
  });

  it.each([
    [{ from: "yesterday", to: "2005-01-01T00:00:00Z" }, "from"],
    [{ from: "2005-01-02T00:00:00Z", to: "2005-01-01T00:00:00Z" }, "must be after from"],
    [{ from: "2005-01-01T00:00:00Z", to: "2005-01-03T00:00:00Z" }, "at most 24 hours"],
    [{ from: "2005-01-01T00:00:00Z", to: "2005-01-01T01:00:00Z", limit: 10_000 }, "limit"],
  ])("refuses %j with BAD_REQUEST naming the fault", async (input, message) => {
    const err = await errorOf(as(viewer).trending.history(input as never));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain(message);
  });
});

describe("trending.live", () => {
  it("sends the newest board at once, then each new one, as tracked events", async () => {
    const f = testFeed(board(7, 1_000));
    const sub = await as(viewer, { ...noLive, trending: f.feed }).trending.live(undefined);
    const it = sub[Symbol.asyncIterator]();
    expect((await nextEvent(it)).slice(0, 2)).toEqual(["7", board(7, 1_000)]);
    f.push(board(8, 2_000));
    expect((await nextEvent(it))[0]).toBe("8");
    await it.return?.();
  });

  it("resuming with the newest board's id skips it", async () => {
    const f = testFeed(board(9, 1_000));
    const sub = await as(viewer, { ...noLive, trending: f.feed }).trending.live({ lastEventId: "9" });
    const it = sub[Symbol.asyncIterator]();
    const next = nextEvent(it);
    await vi.waitFor(() => expect(f.listening()).toBe(1));
    f.push(board(10, 2_000));
    expect((await next)[0]).toBe("10");
    await it.return?.();
  });

  it("refuses an id that is no board's with BAD_REQUEST", async () => {
    const err = await errorOf(
      (async () => {
        const sub = await as(viewer, { ...noLive, trending: testFeed(undefined).feed }).trending.live({
          lastEventId: "x'; drop",
        });
        await sub[Symbol.asyncIterator]().next();
      })(),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain("lastEventId");
  });
});

describe("admin analytics", () => {
  const s1 = `an-${randomUUID().slice(0, 8)}`;
  const s2 = `an-${randomUUID().slice(0, 8)}`;
  const t0 = Date.UTC(2006, 0, 1) + Math.floor(Math.random() * 1_000_000) * 60_000;
  const range = { from: new Date(t0).toISOString(), to: new Date(t0 + 2 * 3_600_000).toISOString() };
  beforeAll(async () => {
    const row = (streamerId: string, emote: string, count: number, minute: number) => ({
      id: `an-${randomUUID()}`,
      streamerId,
      emote,
      windowStart: new Date(t0 + minute * 60_000),
      count,
      total: 100,
      ratio: count / 100,
      // Far above any position a worker hands out in the test database.
      position: 9_000_000_000 + Math.floor(Math.random() * 1_000_000_000),
    });
    await conn.db
      .insert(moments)
      .values([row(s1, "🔥", 30, 1), row(s1, "😂", 10, 2), row(s1, "🔥", 20, 3), row(s2, "🔥", 5, 4)]);
  });

  it("emote share per streamer", async () => {
    const rows = await as(admin).trending.emoteShare({ ...range, limit: 200 });
    const mine = rows.filter((r) => r.streamerId === s1 || r.streamerId === s2);
    expect(mine).toEqual([
      { streamerId: s1, emote: "🔥", count: 50, share: 50 / 60 },
      { streamerId: s1, emote: "😂", count: 10, share: 10 / 60 },
      { streamerId: s2, emote: "🔥", count: 5, share: 1 },
    ]);
  });

  it("streamers by highlights per hour", async () => {
    const rows = await as(admin).trending.highlightsPerHour({ ...range, limit: 200 });
    expect(rows.filter((r) => r.streamerId === s1 || r.streamerId === s2)).toEqual([
      { streamerId: s1, highlights: 3, perHour: 1.5 },
      { streamerId: s2, highlights: 1, perHour: 0.5 },
    ]);
  });

  it("are for admins only", async () => {
    expect((await errorOf(as(viewer).trending.emoteShare(range))).code).toBe("UNAUTHORIZED");
    const streamer = token({ role: "streamer", streamerId: s1, sub: "s" });
    expect((await errorOf(as(streamer).trending.highlightsPerHour(range))).code).toBe("FORBIDDEN");
  });

  it("refuse a range over 31 days with BAD_REQUEST", async () => {
    const err = await errorOf(
      as(admin).trending.emoteShare({ from: "2006-01-01T00:00:00Z", to: "2006-03-01T00:00:00Z" }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain("31 days");
  });
});
