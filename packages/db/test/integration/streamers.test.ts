import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { testInfraConfig, waitFor } from "@emote/testkit";
import {
  DEFAULTS_ROW_ID,
  connectDatabase,
  FULL_RELOAD_PAYLOAD,
  STREAMERS_CHANNEL,
  createStreamer,
  eq,
  listStreamerIds,
  loadStreamerIds,
  saveSettings,
  streamerExists,
  streamerProgress,
  streamerSettings,
  streamers,
} from "../../src/index.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl);
afterAll(() => conn.close());

describe("streamers in the real PostgreSQL", () => {
  it("has the default streamer from the start", async () => {
    expect(await streamerExists(conn.db, "default")).toBe(true);
  });

  it("creates a streamer once: a second create says it existed", async () => {
    const id = `st-${randomUUID()}`;
    expect(await streamerExists(conn.db, id)).toBe(false);
    expect(await createStreamer(conn.db, id, "admin-1")).toBe(true);
    expect(await createStreamer(conn.db, id, "admin-2")).toBe(false);
    expect(await streamerExists(conn.db, id)).toBe(true);
  });

  it("registers a streamer when the worker first records its progress, in any group", async () => {
    const id = `st-${randomUUID()}`;
    const progress = { streamerId: id, batchSeq: 0, pendingCount: 0, pendingCounts: {} };
    await conn.db.insert(streamerProgress).values({ ...progress, groupId: `g-${randomUUID()}` });
    await conn.db.insert(streamerProgress).values({ ...progress, groupId: `g-${randomUUID()}` });
    expect(await streamerExists(conn.db, id)).toBe(true);
  });

  it("registers a streamer whose settings are saved, and never the defaults row", async () => {
    const id = `st-${randomUUID()}`;
    await saveSettings(conn.db, id, { interval: 5 }, { sub: "admin-1", role: "admin", requestId: "r" });
    expect(await streamerExists(conn.db, id)).toBe(true);
    await saveSettings(conn.db, DEFAULTS_ROW_ID, { interval: 30 });
    expect(await streamerExists(conn.db, DEFAULTS_ROW_ID)).toBe(false);
    // The database's defaults row is an operator's override: not left for other tests.
    await conn.db.delete(streamerSettings).where(eq(streamerSettings.streamerId, DEFAULTS_ROW_ID));
  });

  it("lists streamers a page at a time in id order, each page after the last id of the one before", async () => {
    const prefix = `page-${randomUUID().slice(0, 8)}`;
    const ids = Array.from({ length: 5 }, (_, i) => `${prefix}-${i}`);
    for (const id of ids) await createStreamer(conn.db, id, "admin");
    const first = await listStreamerIds(conn.db, { after: prefix, limit: 2 });
    const second = await listStreamerIds(conn.db, { after: first.at(-1), limit: 2 });
    const third = await listStreamerIds(conn.db, { after: second.at(-1), limit: 2 });
    expect([...first, ...second, third[0]]).toEqual(ids);
    expect(first).toHaveLength(2);
  });

  it("announces a created streamer with its id on the streamers channel, and removals with the empty payload", async () => {
    const id = `st-${randomUUID()}`;
    const heard: string[] = [];
    const listening = await conn.listen(STREAMERS_CHANNEL, (payload) => heard.push(payload));
    try {
      await createStreamer(conn.db, id, "admin");
      await waitFor("the creation announced", () => heard.includes(id), 5_000);
      await conn.db.delete(streamers).where(eq(streamers.streamerId, id));
      await waitFor("the removal announced", () => heard.includes(FULL_RELOAD_PAYLOAD), 5_000);
      expect(await loadStreamerIds(conn.db)).not.toContain(id);
    } finally {
      await listening.unlisten();
    }
  });
});
