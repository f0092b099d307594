import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { testInfraConfig } from "@emote/testkit";
import {
  connectDatabase,
  eq,
  getEffectiveSettings,
  listSettingsChanges,
  saveSettings,
  streamerSettings,
  type SettingsActor,
} from "../../src/index.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl, { max: 4 });
afterAll(() => conn.close());

const actor = (sub: string): SettingsActor => ({ sub, role: "moderator", requestId: randomUUID() });

describe("the settings audit log in the real PostgreSQL", () => {
  it("records who changed what, from what to what, with the request id, newest first", async () => {
    const streamerId = `audit-${randomUUID()}`;
    const first = actor("mod-1");
    const second = actor("mod-2");
    const startedAt = Date.now();
    await saveSettings(conn.db, streamerId, { threshold: 0.4 }, first);
    await saveSettings(conn.db, streamerId, { interval: 12 }, second);

    const changes = await listSettingsChanges(conn.db, { streamerId, limit: 10 });
    expect(changes.map(({ id: _id, changedAt: _at, ...c }) => c)).toEqual([
      {
        streamerId,
        actor: { sub: "mod-2", role: "moderator" },
        requestId: second.requestId,
        before: { ...DEFAULT_SETTINGS, threshold: 0.4 },
        after: { ...DEFAULT_SETTINGS, threshold: 0.4, interval: 12 },
      },
      {
        streamerId,
        actor: { sub: "mod-1", role: "moderator" },
        requestId: first.requestId,
        before: DEFAULT_SETTINGS,
        after: { ...DEFAULT_SETTINGS, threshold: 0.4 },
      },
    ]);
    for (const c of changes) {
      expect(Date.parse(c.changedAt)).toBeGreaterThanOrEqual(startedAt - 1_000);
      expect(Date.parse(c.changedAt)).toBeLessThanOrEqual(Date.now() + 1_000);
    }
  });

  it("writes the audit row in the transaction of the change: a failed audit write leaves the settings as they were", async () => {
    const streamerId = `audit-${randomUUID()}`;
    // A NUL byte is refused by PostgreSQL's text type, so the audit insert fails after the upsert.
    const bad = { sub: "bad\u0000sub", role: "admin", requestId: randomUUID() };
    await expect(saveSettings(conn.db, streamerId, { threshold: 0.7 }, bad)).rejects.toThrow();
    expect(await getEffectiveSettings(conn.db, streamerId)).toEqual(DEFAULT_SETTINGS);
    const own = await conn.db
      .select()
      .from(streamerSettings)
      .where(eq(streamerSettings.streamerId, streamerId));
    expect(own).toEqual([]);
    expect(await listSettingsChanges(conn.db, { streamerId, limit: 10 })).toEqual([]);
  });

  it("serialises concurrent changes of one streamer: each row's before is the previous row's after", async () => {
    const streamerId = `audit-${randomUUID()}`;
    const thresholds = [0.11, 0.22, 0.33, 0.44, 0.55, 0.66];
    await Promise.all(
      thresholds.map((threshold, i) => saveSettings(conn.db, streamerId, { threshold }, actor(`s${i}`))),
    );
    const changes = (await listSettingsChanges(conn.db, { streamerId, limit: 10 })).reverse();
    expect(changes).toHaveLength(thresholds.length);
    expect(changes[0]?.before).toEqual(DEFAULT_SETTINGS);
    for (let i = 1; i < changes.length; i++) expect(changes[i]?.before).toEqual(changes[i - 1]?.after);
    expect(await getEffectiveSettings(conn.db, streamerId)).toEqual(changes.at(-1)?.after);
  });

  it("pages by id, optionally across streamers, one row more than asked when there is a next page", async () => {
    const streamerId = `audit-${randomUUID()}`;
    for (const threshold of [0.1, 0.2, 0.3])
      await saveSettings(conn.db, streamerId, { threshold }, actor("p"));
    const page1 = await listSettingsChanges(conn.db, { streamerId, limit: 2 });
    expect(page1.map((c) => c.after.threshold)).toEqual([0.3, 0.2, 0.1]);
    const page2 = await listSettingsChanges(conn.db, { streamerId, limit: 2, beforeId: page1[1]?.id });
    expect(page2.map((c) => c.after.threshold)).toEqual([0.1]);

    // Without a streamer: every streamer's changes, newest first.
    const other = `audit-${randomUUID()}`;
    await saveSettings(conn.db, other, { interval: 7 }, actor("q"));
    const all = await listSettingsChanges(conn.db, { limit: 50 });
    const ids = all.map((c) => c.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const mine = all.filter((c) => c.streamerId === streamerId || c.streamerId === other);
    expect(mine.map((c) => [c.streamerId, c.actor.sub])).toEqual([
      [other, "q"],
      [streamerId, "p"],
      [streamerId, "p"],
      [streamerId, "p"],
    ]);
  });
});
