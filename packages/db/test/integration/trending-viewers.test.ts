import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { testInfraConfig } from "@emote/testkit";
import { and, commitMerge, connectDatabase, eq, loadMergeState, trendingIntensity } from "../../src/index.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl);
afterAll(() => conn.close());

const MIN = 60_000;

/** The stored bucket (history reads the same columns; its group is the one written last, so not used here). */
async function bucket(groupId: string, at: number) {
  return conn.db
    .select({
      bucketStart: trendingIntensity.bucketStart,
      emotes: trendingIntensity.emotes,
      viewers: trendingIntensity.viewers,
    })
    .from(trendingIntensity)
    .where(and(eq(trendingIntensity.groupId, groupId), eq(trendingIntensity.bucketStart, new Date(at))));
}

describe("the trending merge's viewer sketches in the real PostgreSQL", () => {
  it("keeps the larger estimate, reloads the recent sketches and clears old ones at the retention sweep", async () => {
    const groupId = `tv-${randomUUID().slice(0, 8)}`;
    const t0 = Date.UTC(2006, 0, 1) + Math.floor(Math.random() * 1_000_000) * 60 * MIN;
    let applied: Record<string, number> | null = null;
    let n = 0;
    const commit = async (
      intensity: Parameters<typeof commitMerge>[1]["intensity"],
      board?: { seq: number; at: number },
    ) => {
      const next = { s: ++n };
      await commitMerge(conn.db, {
        groupId,
        previousApplied: applied,
        applied: next,
        state: {},
        intensity,
        ...(board && { board: { seq: board.seq, at: new Date(board.at), value: { seq: board.seq } } }),
      });
      applied = next;
    };
    // Two hours ago, twenty minutes ago, now: a sketch each; the newest bucket's estimate rises, then a lower one arrives.
    await commit([{ bucketStart: t0 - 120 * MIN, emotes: 1, viewers: 4, viewerSketch: "sAAEB" }]);
    await commit([{ bucketStart: t0 - 20 * MIN, emotes: 1, viewers: 5, viewerSketch: "sAAEC" }]);
    await commit([{ bucketStart: t0, emotes: 2, viewers: 9, viewerSketch: "sAAED" }]);
    await commit([{ bucketStart: t0, emotes: 1, viewers: 7, viewerSketch: "sAAEE" }]);

    const stored = await loadMergeState(conn.db, groupId, 30 * MIN);
    expect(stored?.viewerSketches).toEqual([
      { bucketStart: t0 - 20 * MIN, sketch: "sAAEC" },
      { bucketStart: t0, sketch: "sAAEE" },
    ]);
    expect(await bucket(groupId, t0)).toEqual([{ bucketStart: new Date(t0), emotes: 3, viewers: 9 }]);

    // The sweep (every 600th board) clears sketches over an hour behind the board; estimates stay.
    await commit([], { seq: 600, at: t0 });
    expect(
      (await loadMergeState(conn.db, groupId, 180 * MIN))?.viewerSketches.map((v) => v.bucketStart),
    ).toEqual([t0 - 20 * MIN, t0]);
    expect(await bucket(groupId, t0 - 120 * MIN)).toEqual([
      { bucketStart: new Date(t0 - 120 * MIN), emotes: 1, viewers: 4 },
    ]);
  });
});
