import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { Moment } from "@emote/contracts";
import { testInfraConfig } from "@emote/testkit";
import {
  CheckpointSupersededError,
  commitAnalysis,
  connectDatabase,
  inArray,
  loadCheckpoint,
  loadLastCommittedMoments,
  loadStreamerProgress,
  consumerCheckpoints,
  and,
  eq,
  lastMomentPosition,
  listMomentsInLog,
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

  it("a commit without moments (one statement) is as atomic: an older one writes no streamer either", async () => {
    const groupId = `it-commit-plain-${randomUUID()}`;
    const at = { groupId, topic: "t", partition: 3, moments: [] };
    await commitAnalysis(conn.db, { ...at, nextOffset: 10n, streamers: [progress(1)] });
    await commitAnalysis(conn.db, { ...at, nextOffset: 10n, streamers: [progress(1)] });
    await commitAnalysis(conn.db, { ...at, nextOffset: 30n, streamers: [progress(3)] });
    await expect(
      commitAnalysis(conn.db, { ...at, nextOffset: 20n, streamers: [progress(9)] }),
    ).rejects.toBeInstanceOf(CheckpointSupersededError);
    expect(await loadCheckpoint(conn.db, groupId, "t", 3)).toBe(30n);
    expect(await loadStreamerProgress(conn.db, groupId, ["s1"])).toEqual([progress(3)]);
    // A commit with moments after one without: the moments' ids are the checkpoint's again.
    await commitAnalysis(conn.db, {
      ...at,
      nextOffset: 40n,
      streamers: [],
      moments: [moment(`${groupId}-m`)],
    });
    await commitAnalysis(conn.db, { ...at, nextOffset: 50n, streamers: [] });
    expect(await loadLastCommittedMoments(conn.db, groupId, "t", 3)).toEqual([]);
  });

  it("numbers moments in commit order without gaps, also when a commit is held open by a row lock", async () => {
    const groupId = `it-log-${randomUUID()}`;
    const commit = (partition: number, ids: string[], nextOffset = 1n) =>
      commitAnalysis(conn.db, {
        groupId,
        topic: "t",
        partition,
        nextOffset,
        streamers: [],
        moments: ids.map(moment),
      });
    const start = await lastMomentPosition(conn.db);

    const first = await commit(0, [`${groupId}-0a`, `${groupId}-0b`]);
    expect(first[1]).toBe((first[0] ?? 0) + 1);
    // A retry of a commit that landed gets the same positions and numbers nothing new.
    expect(await commit(0, [`${groupId}-0a`, `${groupId}-0b`])).toEqual(first);

    // Partition 1's checkpoint row is locked: its commit waits while partition 2's goes through.
    await commit(1, [], 0n);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = conn.db.transaction(async (tx) => {
      await tx
        .select()
        .from(consumerCheckpoints)
        .where(and(eq(consumerCheckpoints.groupId, groupId), eq(consumerCheckpoints.partition, 1)))
        .for("update");
      locked();
      await released;
    });
    await isLocked;
    const held = commit(1, [`${groupId}-1a`]);
    const concurrent = await Promise.all(
      [2, 3, 4, 5].map((p) => commit(p, [`${groupId}-${p}a`, `${groupId}-${p}b`, `${groupId}-${p}c`])),
    );
    release();
    await holder;
    const [late] = await held;

    const all = [...first, ...concurrent.flat(), late ?? 0];
    // Everyone else committed before the held one: it is numbered last.
    expect(late).toBe(Math.max(...all));
    expect(new Set(all).size).toBe(all.length);
    // Each commit's moments follow each other, in the order given.
    for (const c of concurrent) expect(c).toEqual([c[0], (c[0] ?? 0) + 1, (c[0] ?? 0) + 2]);
    expect(await lastMomentPosition(conn.db)).toBeGreaterThanOrEqual(start + all.length);
    const log = await listMomentsInLog(conn.db, { after: (first[0] ?? 1) - 1, limit: 1_000 });
    // Each position once, in order (a surge's end moves its row on, so another test's
    // surge may leave a position without a row: gaps in the rows are allowed, not repeats).
    const seen = log.map((m) => m.position);
    expect(seen).toEqual([...new Set(seen)].sort((x, y) => (x ?? 0) - (y ?? 0)));
    const ours = log.filter((m) => m.id.startsWith(groupId));
    expect(ours.map((m) => m.position)).toEqual([...all].sort((x, y) => x - y));
  });
});
