import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { Moment } from "@emote/contracts";
import { testInfraConfig } from "@emote/infra";
import {
  CheckpointSupersededError,
  commitAnalysis,
  connectDatabase,
  inArray,
  loadCheckpoint,
  loadStreamerProgress,
  moments,
} from "../../src/index.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl);
afterAll(() => conn.close());

const moment = (id: string): Moment => ({
  id,
  streamerId: "s1",
  emote: "🔥",
  timestamp: "2031-01-01T00:00:00.000Z",
  count: 6,
  total: 10,
  ratio: 0.6,
});
const progress = (batchSeq: number) => ({
  streamerId: "s1",
  batchSeq,
  pendingCount: 0,
  pendingCounts: {},
  pendingTraces: {},
});

describe("commitAnalysis in the real PostgreSQL", () => {
  it("never moves a partition's checkpoint back: an older commit writes nothing, the same one again is a no-op", async () => {
    const groupId = `it-commit-${randomUUID()}`;
    const at = { groupId, topic: "t", partition: 0 };
    const [a, b, late] = [`${groupId}-a`, `${groupId}-b`, `${groupId}-late`];
    await commitAnalysis(conn.db, { ...at, nextOffset: 10n, streamers: [progress(1)], moments: [moment(a)] });
    // A retry of the same commit (an earlier try landed before the connection dropped).
    await commitAnalysis(conn.db, { ...at, nextOffset: 10n, streamers: [progress(1)], moments: [moment(a)] });
    await commitAnalysis(conn.db, { ...at, nextOffset: 20n, streamers: [progress(2)], moments: [moment(b)] });

    // A member that lost the partition commits what it had in flight.
    await expect(
      commitAnalysis(conn.db, { ...at, nextOffset: 15n, streamers: [progress(9)], moments: [moment(late)] }),
    ).rejects.toBeInstanceOf(CheckpointSupersededError);

    expect(await loadCheckpoint(conn.db, groupId, "t", 0)).toBe(20n);
    expect((await loadStreamerProgress(conn.db, groupId, ["s1"]))[0]?.batchSeq).toBe(2);
    const stored = await conn.db
      .select({ id: moments.id })
      .from(moments)
      .where(inArray(moments.id, [a, b, late]));
    expect(stored.map((r) => r.id).sort()).toEqual([a, b].sort());
  });
});
