import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type Moment } from "@emote/contracts";
import { commitAnalysis, createStreamer, saveSettings, sql, streamerExists } from "@emote/db";
import { RateLimitedError, errorShapeOf, type CallLimits, type Caller } from "../../src/index.ts";
import { conn, createCaller, errorOf, noLive } from "./router-harness.ts";

const as = (caller: Caller) => createCaller({ db: conn.db, caller, live: noLive, requestId: "test" });
const later = () => Date.now() + 3_600_000;
const viewer = as({ kind: "anonymous", role: "viewer" });
const unique = () => `api-${randomUUID().slice(0, 8)}`;

describe("settings.get", () => {
  it("returns a streamer's own settings, or the defaults", async () => {
    const streamerId = unique();
    expect(await viewer.settings.get({ streamerId })).toEqual(DEFAULT_SETTINGS);
    await saveSettings(conn.db, streamerId, { threshold: 0.45 });
    expect(await viewer.settings.get({ streamerId })).toEqual({ ...DEFAULT_SETTINGS, threshold: 0.45 });
  });

  it("rejects a bad streamerId with BAD_REQUEST naming the field", async () => {
    const err = await errorOf(viewer.settings.get({ streamerId: "no spaces" }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain("streamerId");
  });

  it("refuses a token that expired after the connection was made", async () => {
    const caller = as({ kind: "token", role: "admin", sub: "admin", expiresAt: Date.now() - 1 });
    const err = await errorOf(caller.settings.update({ streamerId: unique(), threshold: 0.5 }));
    expect(err.code).toBe("UNAUTHORIZED");
    expect(err.message).toBe("token expired");
  });

  it("refuses a caller whose token failed, even for reading", async () => {
    const err = await errorOf(
      as({ kind: "invalid", reason: "token expired" }).settings.get({ streamerId: "s1" }),
    );
    expect(err.code).toBe("UNAUTHORIZED");
    expect(err.message).toBe("token expired");
  });
});

describe("settings.update", () => {
  const roles: [string, Caller, "own" | "any" | "none"][] = [
    ["anonymous viewer", { kind: "anonymous", role: "viewer" }, "none"],
    ["viewer token", { kind: "token", role: "viewer", sub: "v", expiresAt: later() }, "none"],
    ["streamer", { kind: "token", role: "streamer", streamerId: "OWN", sub: "s", expiresAt: later() }, "own"],
    ["moderator", { kind: "token", role: "moderator", sub: "m", expiresAt: later() }, "any"],
    ["admin", { kind: "token", role: "admin", sub: "a", expiresAt: later() }, "any"],
  ];

  it.each(roles)("enforces the role matrix for a %s", async (_name, template, may) => {
    const own = unique();
    const other = unique();
    const caller =
      template.kind === "token" && template.role === "streamer" ? { ...template, streamerId: own } : template;
    await createStreamer(conn.db, own, "setup");
    await createStreamer(conn.db, other, "setup");
    for (const [streamerId, allowed] of [
      [own, may !== "none"],
      [other, may === "any"],
    ] as const) {
      const attempt = as(caller).settings.update({ streamerId, threshold: 0.6 });
      if (allowed) {
        expect(await attempt).toEqual({ ...DEFAULT_SETTINGS, threshold: 0.6 });
      } else {
        expect((await errorOf(attempt)).code).toBe("FORBIDDEN");
        expect(await viewer.settings.get({ streamerId })).toEqual(DEFAULT_SETTINGS);
      }
    }
  });

  it.each([
    [{ interval: 0 }, "interval"],
    [{ interval: 2.5 }, "interval"],
    [{ interval: 10_001 }, "interval"],
    [{ threshold: 0 }, "threshold"],
    [{ threshold: 1 }, "threshold"],
    [{ allowedEmotes: [] }, "allowedEmotes"],
    [{ allowedEmotes: ["🔥", "🔥"] }, "allowedEmotes"],
    [{ allowedEmotes: Array.from({ length: 65 }, (_, i) => `:e${i}:`) }, "allowedEmotes"],
    [{ allowedEmotes: ["hello", "world", "🔥"] }, "allowedEmotes"],
    [{ allowedEmotes: [" "] }, "allowedEmotes"],
    [{ allowedEmotes: ["\u202e"] }, "allowedEmotes"],
    [{ interval: null }, "interval"],
    [{ threshold: "0.5" }, "threshold"],
    [{ streamerId: ".." }, "streamerId"],
    [{ allowedEmotes: ["x".repeat(17)] }, "allowedEmotes"],
    [{ allowedEmotes: ["🔥", "a\u0000b"] }, "allowedEmotes"],
    [{ allowedEmotes: ["\ud83d"] }, "allowedEmotes"],
    [{ allowedEmotes: ["\u00e9", "e\u0301"] }, "allowedEmotes"],
  ])("rejects %j with BAD_REQUEST naming %s and changes nothing", async (patch, field) => {
    const streamerId = unique();
    const admin = as({ kind: "token", role: "admin", sub: "admin", expiresAt: later() });
    // Hostile input on purpose: values of the wrong type.
    const input = { streamerId, interval: 12, ...patch } as Parameters<typeof admin.settings.update>[0];
    const err = await errorOf(admin.settings.update(input));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain(field);
    expect(await viewer.settings.get({ streamerId })).toEqual(DEFAULT_SETTINGS);
    expect(await streamerExists(conn.db, streamerId)).toBe(false);
  });

  it.each([
    [{ interval: 0 }, "interval: Interval must be a whole number of emotes from 1 to 10,000"],
    [{ interval: null }, "interval: Interval must be a whole number of emotes from 1 to 10,000"],
    [{ threshold: 1 }, "threshold: Threshold must be a share above 0 and below 1 (0.3 is 30% of the emotes)"],
    [{ allowedEmotes: [] }, "allowedEmotes: Allowed emotes must be a list of 1 to 64 emotes"],
    [
      { allowedEmotes: ["🔥", "hello"] },
      "allowedEmotes.1: An emote is one emoji (such as 🔥) or a named emote written :name: (letters, digits, _ + -, up to 32)",
    ],
  ])("says what is wrong with %j in one line naming the field", async (patch, message) => {
    const admin = as({ kind: "token", role: "admin", sub: "admin", expiresAt: later() });
    const input = { streamerId: unique(), ...patch } as Parameters<typeof admin.settings.update>[0];
    const err = await errorOf(admin.settings.update(input));
    // What a client reads: the answer as the API's error formatter shapes it.
    const shape = errorShapeOf(err, { path: "settings.update", type: "mutation", input, ctx: undefined });
    expect(shape.message).toBe(message);
  });

  it("creates an unknown streamer for an admin or its own streamer token, and is NOT_FOUND for a moderator", async () => {
    const [byAdmin, byOwner, byModerator] = [unique(), unique(), unique()];
    await as({ kind: "token", role: "admin", sub: "a", expiresAt: later() }).settings.update({
      streamerId: byAdmin,
      threshold: 0.5,
    });
    await as({
      kind: "token",
      role: "streamer",
      streamerId: byOwner,
      sub: "s",
      expiresAt: later(),
    }).settings.update({ streamerId: byOwner, threshold: 0.5 });
    const err = await errorOf(
      as({ kind: "token", role: "moderator", sub: "m", expiresAt: later() }).settings.update({
        streamerId: byModerator,
        threshold: 0.5,
      }),
    );
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toBe(
      `streamerId: there is no streamer "${byModerator}" (an admin, or the streamer's own token, creates it with streamers.create)`,
    );
    expect(
      await Promise.all([byAdmin, byOwner, byModerator].map((id) => streamerExists(conn.db, id))),
    ).toEqual([true, true, false]);
  });
});

describe("moments.history", () => {
  const streamerId = unique();
  const base = Date.UTC(2033, 0, 1) + Math.floor(Math.random() * 1_000_000) * 60_000;
  // 7 moments over 3 minutes, two emotes; stored in reverse, so within a minute the ids
  // run against the moment log, which history follows.
  const all: Moment[] = [0, 0, 0, 1, 1, 2, 2].map((minute, i) => ({
    id: `${streamerId}-m${i}`,
    streamerId,
    emote: i % 2 === 0 ? "🔥" : "😀",
    timestamp: new Date(base + minute * 60_000).toISOString(),
    count: 10 + i,
    total: 30,
    ratio: (10 + i) / 30,
  }));
  const newestFirst = () =>
    [...all].sort((a, b) => b.timestamp.localeCompare(a.timestamp) || (b.position ?? 0) - (a.position ?? 0));

  beforeAll(async () => {
    const positions = await commitAnalysis(conn.db, {
      groupId: `api-it-${streamerId}`,
      topic: "api-it",
      partition: 0,
      nextOffset: 1n,
      streamers: [],
      moments: [...all].reverse(),
    });
    // History gives each moment with its position in the moment log.
    [...all].reverse().forEach((m, i) => (m.position = positions[i]));
    expect(newestFirst().map((m) => m.id)).not.toEqual(
      [...all]
        .sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.id.localeCompare(a.id))
        .map((m) => m.id),
    );
  });

  it("pages through a streamer's moments newest first, without gaps or repeats", async () => {
    const seen: Moment[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: Moment[]; nextCursor: string | null } = await viewer.moments.history({
        streamerId,
        limit: 3,
        cursor,
      });
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst());
  });

  it("filters by emote and time range", async () => {
    const page = await viewer.moments.history({
      streamerId,
      emote: "🔥",
      from: new Date(base + 60_000).toISOString(),
      to: new Date(base + 3 * 60_000).toISOString(),
    });
    expect(page.items).toEqual(
      newestFirst().filter((m) => m.emote === "🔥" && Date.parse(m.timestamp) >= base + 60_000),
    );
    expect(page.nextCursor).toBeNull();
  });

  it.each([
    [{ limit: 501 }, "limit"],
    [{ limit: 0 }, "limit"],
    [{ from: "yesterday" }, "from"],
    [{ from: "2030-01-02T00:00:00Z", to: "2030-01-01T00:00:00Z" }, "from"],
    [{ cursor: "not-a-cursor" }, "cursor"],
    // Each of these reached PostgreSQL before and came back as a 500 with the SQL in it.
    [{ from: "0000-01-01T00:00:00Z" }, "from"],
    [{ to: "0001-01-01T00:30:00+01:00" }, "to"],
    [{ emote: "a\u0000b" }, "emote"],
    [{ cursor: Buffer.from(JSON.stringify(["0000-01-01T00:00:00Z", "x"])).toString("base64url") }, "cursor"],
    [
      { cursor: Buffer.from(JSON.stringify(["2030-01-01T00:00:00Z", "x\u0000"])).toString("base64url") },
      "cursor",
    ],
    // A cursor of the earlier (window start, id) order: refused, not paged in the wrong order.
    [
      { cursor: Buffer.from(JSON.stringify(["2030-01-01T00:00:00Z", "s-m1"])).toString("base64url") },
      "cursor",
    ],
    [{ cursor: Buffer.from(JSON.stringify(["2030-01-01T00:00:00Z", 0])).toString("base64url") }, "cursor"],
  ])("rejects %j with BAD_REQUEST naming %s", async (input, field) => {
    const err = await errorOf(viewer.moments.history(input));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain(field);
  });
});

describe("limits", () => {
  it("counts mutations per caller and refuses one over the limit with TOO_MANY_REQUESTS and a retry-after", async () => {
    const taken: string[] = [];
    const limits: CallLimits = {
      mutations: {
        take: async (key) => {
          taken.push(key);
          if (taken.filter((k) => k === key).length > 2) throw new RateLimitedError(1_500);
        },
      },
    };
    const caller: Caller = { kind: "token", role: "admin", sub: "flooder", expiresAt: later() };
    const api = createCaller({ db: conn.db, caller, live: noLive, requestId: "t", limits });
    const streamerId = unique();
    await api.settings.update({ streamerId, threshold: 0.5 });
    await api.settings.update({ streamerId, threshold: 0.6 });
    const err = await errorOf(api.settings.update({ streamerId, threshold: 0.7 }));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(err.message).toBe("too many changes from this caller: retry in 2 s");
    expect(err.cause).toBeInstanceOf(RateLimitedError);
    expect((await viewer.settings.get({ streamerId })).threshold).toBe(0.6);
    // Queries are not counted; an anonymous caller is counted by address.
    await api.settings.get({ streamerId });
    const anonymous = createCaller({
      db: conn.db,
      caller: { kind: "anonymous", role: "viewer" },
      live: noLive,
      requestId: "t",
      clientAddress: "192.0.2.1",
      limits,
    });
    await errorOf(anonymous.settings.update({ streamerId, threshold: 0.5 }));
    expect(taken).toEqual(["sub:admin:flooder", "sub:admin:flooder", "sub:admin:flooder", "addr:192.0.2.1"]);
  });
});

describe("subscriptions", () => {
  it("end with UNAUTHORIZED when the token expires, without waiting for another call", async () => {
    const caller: Caller = { kind: "token", role: "viewer", sub: "v", expiresAt: Date.now() + 300 };
    const api = createCaller({ db: conn.db, caller, live: noLive, requestId: "t" });
    const stream = await api.stats.live({ streamerId: unique() });
    const started = Date.now();
    const err = await errorOf(
      (async () => {
        for await (const item of stream) void item;
      })(),
    );
    expect(err.code).toBe("UNAUTHORIZED");
    expect(err.message).toBe("token expired");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("end quietly when the client leaves before the token expires", async () => {
    const caller: Caller = { kind: "token", role: "viewer", sub: "v", expiresAt: later() };
    const controller = new AbortController();
    const api = createCaller(
      { db: conn.db, caller, live: noLive, requestId: "t" },
      { signal: controller.signal },
    );
    const stream = await api.stats.live({ streamerId: unique() });
    setTimeout(() => controller.abort(), 50);
    const items: unknown[] = [];
    for await (const item of stream) items.push(item);
    expect(items).toEqual([]);
  });
});

describe("streamers.list", () => {
  /** Every page from the start, following nextCursor. */
  async function allPages(limit: number): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { items: string[]; nextCursor: string | null } = await viewer.streamers.list({
        cursor,
        limit,
      });
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return pages;
  }

  it("lists the streamers that exist in id order, a page at a time, without the defaults row", async () => {
    const created = [unique(), unique(), unique()];
    for (const id of created) await createStreamer(conn.db, id, "admin");
    const pages = await allPages(2);
    const ids = pages.flat();
    expect(ids).toEqual(expect.arrayContaining([...created, "default"]));
    expect(ids).not.toContain("*");
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages.every((p) => p.length <= 2)).toBe(true);
  });

  it("answers 100 ids by default and at most 500, so an answer stays under 40 KB however many streamers exist", async () => {
    const prefix = `bulk-${randomUUID().slice(0, 8)}`;
    await conn.db.execute(
      sql.raw(
        `insert into streamers (streamer_id) select '${prefix}-' || lpad(i::text, 4, '0') || '-${"x".repeat(40)}' from generate_series(1, 600) i`,
      ),
    );
    const first = await viewer.streamers.list();
    expect(first.items).toHaveLength(100);
    const widest = await viewer.streamers.list({ cursor: prefix, limit: 500 });
    expect(widest.items).toHaveLength(500);
    expect(widest.items.every((id) => id.startsWith(prefix))).toBe(true);
    expect(widest.nextCursor).toBe(widest.items.at(-1));
    expect(Buffer.byteLength(JSON.stringify(widest))).toBeLessThan(40_000);
  });

  it.each([
    [{ limit: 0 }, "limit"],
    [{ limit: 501 }, "limit"],
    [{ limit: 2.5 }, "limit"],
    [{ cursor: ".." }, "cursor"],
    [{ cursor: "a\u0000b" }, "cursor"],
  ])("rejects %j with BAD_REQUEST naming %s", async (input, field) => {
    const err = await errorOf(viewer.streamers.list(input));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain(field);
  });
});

describe("streamers.create", () => {
  const token = (c: {
    role: "viewer" | "streamer" | "moderator" | "admin";
    streamerId?: string;
  }): Caller => ({
    kind: "token",
    sub: `${c.role}-sub`,
    expiresAt: later(),
    ...c,
  });

  it("lets an admin create any streamer, once (creating it again is no error)", async () => {
    const streamerId = unique();
    const admin = as(token({ role: "admin" }));
    expect(await admin.streamers.create({ streamerId })).toEqual({ streamerId, created: true });
    expect(await admin.streamers.create({ streamerId })).toEqual({ streamerId, created: false });
    expect(await streamerExists(conn.db, streamerId)).toBe(true);
  });

  it("lets a streamer token create only its own streamer", async () => {
    const own = unique();
    const other = unique();
    const streamer = as(token({ role: "streamer", streamerId: own }));
    expect(await streamer.streamers.create({ streamerId: own })).toEqual({ streamerId: own, created: true });
    const err = await errorOf(streamer.streamers.create({ streamerId: other }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toBe(`a streamer token may create only its own streamer (${own})`);
    expect(await streamerExists(conn.db, other)).toBe(false);
  });

  it.each<[string, Caller]>([
    ["an anonymous viewer", { kind: "anonymous", role: "viewer" }],
    ["a viewer token", token({ role: "viewer" })],
    ["a moderator", token({ role: "moderator" })],
  ])("refuses %s with FORBIDDEN", async (_who, caller) => {
    const streamerId = unique();
    const err = await errorOf(as(caller).streamers.create({ streamerId }));
    expect(err.code).toBe("FORBIDDEN");
    expect(await streamerExists(conn.db, streamerId)).toBe(false);
  });

  it.each([
    [{ streamerId: ".." }],
    [{ streamerId: "" }],
    [{ streamerId: "a b" }],
    [{ streamerId: "s\u202e" }],
    [{}],
    [{ streamerId: "ok", extra: 1 }],
  ])("rejects %j with BAD_REQUEST", async (input) => {
    const err = await errorOf(as(token({ role: "admin" })).streamers.create(input as { streamerId: string }));
    expect(err.code).toBe("BAD_REQUEST");
  });
});
