import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, timestampWindow, type Moment } from "@emote/contracts";
import {
  commitAnalysis,
  connectDatabase,
  inArray,
  loadStreamerProgress,
  moments,
  rowToMoment,
} from "@emote/db";
import { packValues, parseBatch } from "../../src/parse-batch.ts";
import { StreamerBatch } from "../../src/analysis/index.ts";
import { byId, infra } from "../harness.ts";
import { hostileEmote } from "../hostile-emotes.ts";

const conn = connectDatabase(infra.databaseUrl, { max: 2 });
afterAll(() => conn.close());

describe("whatever the parser accepts can be stored (fast-check sample, real PostgreSQL)", () => {
  it("round-trips the moments and open batches of 400 hostile emotes the parser accepted", async () => {
    const run = randomUUID().slice(0, 8);
    const groupId = `roundtrip-${run}`;
    const sample = fc.sample(hostileEmote, { numRuns: 4_000, seed: 20_261_202 });
    const parsed = parseBatch(
      packValues(
        sample.map((e, i) => Buffer.from(JSON.stringify({ ...e, streamerId: `rt-${run}-${i % 7}` }))),
      ),
      timestampWindow(),
    );
    const streamers = new Map<string, StreamerBatch>();
    const settings = { ...DEFAULT_SETTINGS, interval: 3, threshold: 0.01, allowedEmotes: parsed.emotes };
    const all: Moment[] = [];
    let accepted = 0;
    for (let i = 0; i < sample.length && accepted < 400; i++) {
      if (parsed.good[i] !== 1) continue;
      accepted++;
      const id = parsed.streamers[parsed.streamer[i] as number] as string;
      const s = streamers.get(id) ?? new StreamerBatch(id);
      streamers.set(id, s);
      const emote = parsed.emotes[parsed.emote[i] as number] as string;
      all.push(...(s.add(emote, parsed.timestampMs[i] as number, settings, undefined) ?? []));
    }
    expect(accepted).toBe(400);
    const progress = [...streamers.values()].map((s) => s.toProgress());
    // Left open on purpose: the pending counts (jsonb keyed by emote) are stored too.
    expect(progress.some((p) => p.pendingCount > 0)).toBe(true);

    await commitAnalysis(conn.db, {
      groupId,
      topic: `rt-${run}`,
      partition: 0,
      nextOffset: 1n,
      streamers: progress,
      moments: all,
    });

    const stored = await conn.db
      .select()
      .from(moments)
      .where(
        inArray(
          moments.id,
          all.map((m) => m.id),
        ),
      );
    expect(byId(stored.map(rowToMoment))).toEqual(byId(all));
    const reloaded = await loadStreamerProgress(conn.db, groupId, [...streamers.keys()]);
    const bySid = (a: { streamerId: string }, b: { streamerId: string }) =>
      a.streamerId.localeCompare(b.streamerId);
    expect(reloaded.sort(bySid)).toEqual(progress.sort(bySid));
  });
});
