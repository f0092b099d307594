import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import type { Caller } from "../../src/index.ts";
import { conn, createCaller, errorOf, noLive } from "./router-harness.ts";

const as = (caller: Caller, requestId: string = randomUUID()) =>
  createCaller({ db: conn.db, caller, live: noLive, requestId });
const unique = () => `audit-${randomUUID().slice(0, 8)}`;
/** A verified token's caller, valid for an hour. */
const token = (claims: Omit<Extract<Caller, { kind: "token" }>, "kind" | "expiresAt">): Caller => ({
  kind: "token",
  expiresAt: Date.now() + 3_600_000,
  ...claims,
});
const admin = token({ role: "admin", sub: "alice" });

describe("settings.update writes the audit log", () => {
  it("records the caller's sub and role, the streamer, before and after, the request id and when", async () => {
    const streamerId = unique();
    const requestId = randomUUID();
    const startedAt = Date.now();
    await as(token({ role: "streamer", streamerId, sub: "stream-owner" }), requestId).settings.update({
      streamerId,
      threshold: 0.45,
    });
    const { items, nextCursor } = await as(admin).audit.list({ streamerId });
    expect(nextCursor).toBeNull();
    expect(items).toHaveLength(1);
    const [change] = items;
    expect(change).toEqual({
      id: expect.stringMatching(/^\d+$/) as string,
      streamerId,
      actor: { sub: "stream-owner", role: "streamer" },
      requestId,
      before: DEFAULT_SETTINGS,
      after: { ...DEFAULT_SETTINGS, threshold: 0.45 },
      changedAt: expect.any(String) as string,
    });
    expect(Date.parse(change?.changedAt ?? "")).toBeGreaterThanOrEqual(startedAt - 1_000);
  });

  it("writes nothing for a refused change", async () => {
    const streamerId = unique();
    await errorOf(as(token({ role: "viewer", sub: "v" })).settings.update({ streamerId, interval: 8 }));
    await errorOf(as(token({ role: "admin", sub: "a" })).settings.update({ streamerId, threshold: 2 }));
    expect((await as(admin).audit.list({ streamerId })).items).toEqual([]);
  });
});

describe("audit.list", () => {
  const own = unique();
  const other = unique();
  beforeAll(async () => {
    await as(admin).settings.update({ streamerId: own, threshold: 0.41 });
    await as(admin).settings.update({ streamerId: other, threshold: 0.42 });
  });

  const streamersSeen = async (caller: Caller, streamerId?: string) => {
    const { items } = await as(caller).audit.list({
      ...(streamerId !== undefined && { streamerId }),
      limit: 100,
    });
    return new Set(items.map((c) => c.streamerId));
  };

  it.each([
    ["moderator", token({ role: "moderator", sub: "m" })],
    ["admin", token({ role: "admin", sub: "a" })],
  ] as [string, Caller][])("lets a %s read any streamer's changes, or all", async (_name, caller) => {
    expect(await streamersSeen(caller, own)).toEqual(new Set([own]));
    expect(await streamersSeen(caller, other)).toEqual(new Set([other]));
    const all = await streamersSeen(caller);
    expect(all.has(own) && all.has(other)).toBe(true);
  });

  it("lets a streamer read only its own streamer's changes", async () => {
    const streamer: Caller = token({ role: "streamer", streamerId: own, sub: "s" });
    expect(await streamersSeen(streamer, own)).toEqual(new Set([own]));
    // Without a streamer named, its own is implied.
    expect(await streamersSeen(streamer)).toEqual(new Set([own]));
    const err = await errorOf(as(streamer).audit.list({ streamerId: other }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toBe(`a streamer may read only its own settings changes (${own})`);
  });

  it.each([
    ["anonymous viewer", { kind: "anonymous", role: "viewer" }, "UNAUTHORIZED"],
    ["viewer token", token({ role: "viewer", sub: "v" }), "FORBIDDEN"],
    ["invalid token", { kind: "invalid", reason: "token is not valid" }, "UNAUTHORIZED"],
    ["expired token", { kind: "token", role: "admin", sub: "a", expiresAt: Date.now() - 1 }, "UNAUTHORIZED"],
  ] as [string, Caller, string][])("refuses a %s", async (_name, caller, code) => {
    const err = await errorOf(as(caller).audit.list({ streamerId: own }));
    expect(err.code).toBe(code);
  });

  it("pages newest first with an opaque cursor, and refuses a forged one", async () => {
    const streamerId = unique();
    const thresholds = [0.1, 0.2, 0.3, 0.4, 0.5];
    for (const threshold of thresholds) await as(admin).settings.update({ streamerId, threshold });
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<ReturnType<typeof as>["audit"]["list"]>> = await as(admin).audit.list({
        streamerId,
        limit: 2,
        cursor,
      });
      seen.push(...page.items.map((c) => c.after.threshold));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...thresholds].reverse());

    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const cursor of ["not-a-cursor", forged([1e300]), forged([1.5]), forged([-1]), forged(["1"])]) {
      const err = await errorOf(as(admin).audit.list({ streamerId, cursor }));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toBe("cursor: not a cursor from audit.list");
    }
  });

  it("rejects a bad limit with BAD_REQUEST naming the field", async () => {
    const err = await errorOf(as(admin).audit.list({ limit: 1_000 }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain("limit");
  });
});
