import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type Moment } from "@emote/contracts";
import { waitFor } from "@emote/testkit";
import {
  SETTINGS_CHANNEL,
  CheckpointSupersededError,
  commitAnalysis,
  loadCheckpoint,
  loadStoredNextOffsets,
  FULL_RELOAD_PAYLOAD,
  getEffectiveSettings,
  listMoments,
  lastMomentPosition,
  listMomentsInLog,
  momentPosition,
  listSettingsChanges,
  loadStreamerProgress,
  openEmbeddedDatabase,
  saveSettings,
  sql,
} from "../src/index.ts";
import { checkHistoryOrder } from "./history-order.ts";

const dir = mkdtempSync(join(tmpdir(), "emote-pglite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

const moment = (i: number): Moment => ({
  id: `m${i}`,
  streamerId: "s1",
  emote: "🔥",
  timestamp: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
  count: 10 + i,
  total: 30,
  ratio: (10 + i) / 30,
  ...(i === 2 && { traceparent: TRACEPARENT }),
});

describe("the embedded database (PGlite)", () => {
  it("runs the same migrations and repositories, announces settings changes, and keeps data across a restart", async () => {
    const first = await openEmbeddedDatabase(dir);
    await first.migrate();
    expect(await getEffectiveSettings(first.db, "s1")).toEqual(DEFAULT_SETTINGS);

    const heard: string[] = [];
    let listening = 0;
    const sub = await first.listen(
      SETTINGS_CHANNEL,
      (p) => heard.push(p),
      () => listening++,
    );
    await saveSettings(first.db, "s1", { threshold: 0.4 });
    const positions = await commitAnalysis(first.db, {
      groupId: "g",
      topic: "t",
      partition: 0,
      nextOffset: 3n,
      streamers: [
        {
          streamerId: "s1",
          batchSeq: 2,
          pendingCount: 1,
          pendingCounts: { "0": { "🔥": 1 } },
          pendingTraces: { "0": { "🔥": TRACEPARENT } },
        },
      ],
      moments: [moment(1), moment(2), moment(3)],
    });
    // Notifications arrive in order: once s2's is in, committing the analysis announced nothing.
    await saveSettings(first.db, "s2", { threshold: 0.5 }, { sub: "ops", role: "admin", requestId: "r-1" });
    await waitFor("the second settings change", () => heard.length >= 2);
    expect(listening).toBe(1);
    expect(heard).toEqual(["s1", "s2"]);
    expect(await listSettingsChanges(first.db, { limit: 10 })).toEqual([
      {
        id: 1,
        streamerId: "s2",
        actor: { sub: "ops", role: "admin" },
        requestId: "r-1",
        before: DEFAULT_SETTINGS,
        after: { ...DEFAULT_SETTINGS, threshold: 0.5 },
        changedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
      },
    ]);
    expect(positions).toEqual([1, 2, 3]);
    expect(await lastMomentPosition(first.db)).toBe(3);
    const after = (await momentPosition(first.db, "m1")) ?? 0;
    expect((await listMomentsInLog(first.db, { after, limit: 10 })).map((m) => [m.id, m.position])).toEqual([
      ["m2", 2],
      ["m3", 3],
    ]);
    await sub.unlisten();
    await first.close();

    const again = await openEmbeddedDatabase(dir);
    await again.migrate();
    expect(await getEffectiveSettings(again.db, "s1")).toEqual({ ...DEFAULT_SETTINGS, threshold: 0.4 });
    const stored = await listMoments(again.db, { limit: 10 });
    expect(stored.map((m) => m.id)).toEqual(["m3", "m2", "m1"]);
    expect(stored.map((m) => m.traceparent)).toEqual([undefined, TRACEPARENT, undefined]);
    expect(await loadStreamerProgress(again.db, "g", ["s1"])).toEqual([
      {
        streamerId: "s1",
        batchSeq: 2,
        pendingCount: 1,
        pendingCounts: { "0": { "🔥": 1 } },
        pendingTraces: { "0": { "🔥": TRACEPARENT } },
      },
    ]);
    // A batch that closes no moment is one statement; PGlite answers it in its own shape.
    const plain = { groupId: "g", topic: "t", partition: 0, moments: [] };
    const next = { streamerId: "s1", batchSeq: 3, pendingCount: 0, pendingCounts: {}, pendingTraces: {} };
    expect(await commitAnalysis(again.db, { ...plain, nextOffset: 5n, streamers: [next] })).toEqual([]);
    await expect(
      commitAnalysis(again.db, { ...plain, nextOffset: 4n, streamers: [{ ...next, batchSeq: 9 }] }),
    ).rejects.toBeInstanceOf(CheckpointSupersededError);
    expect(await loadCheckpoint(again.db, "g", "t", 0)).toBe(5n);
    // Per partition, the furthest any group got: where the in-process bus continues after a restart.
    await commitAnalysis(again.db, { ...plain, groupId: "other", nextOffset: 3n, streamers: [] });
    await commitAnalysis(again.db, {
      ...plain,
      groupId: "other",
      partition: 2,
      nextOffset: 7n,
      streamers: [],
    });
    expect(await loadStoredNextOffsets(again.db, "t")).toEqual([
      { partition: 0, nextOffset: 5n },
      { partition: 2, nextOffset: 7n },
    ]);
    expect(await loadStoredNextOffsets(again.db, "elsewhere")).toEqual([]);
    expect(await loadStreamerProgress(again.db, "g", ["s1"])).toEqual([next]);

    // A TRUNCATE (no row trigger) is announced with the payload that asks for a full reload.
    const afterTruncate: string[] = [];
    const sub2 = await again.listen(SETTINGS_CHANNEL, (p) => afterTruncate.push(p));
    await again.db.execute(sql`truncate streamer_settings`);
    await waitFor("the truncate announcement", () => afterTruncate.length >= 1);
    expect(afterTruncate).toEqual([FULL_RELOAD_PAYLOAD]);
    await sub2.unlisten();
    await again.close();
  }, 60_000);

  it("orders history by window start, then moment-log position, and pages on that pair", async () => {
    const db = await openEmbeddedDatabase(mkdtempSync(join(dir, "history-")));
    try {
      await db.migrate();
      await checkHistoryOrder(db.db, "hist");
    } finally {
      await db.close();
    }
  }, 60_000);
});
