import { expect } from "vitest";
import type { Moment } from "@emote/contracts";
import { commitAnalysis, listMoments, type Database } from "../src/index.ts";

/**
 * Stores moments whose ids sort against their order in the moment log, then checks that
 * history gives them by window start, then by position (both newest first), and that
 * pages on the (window start, position) keyset neither skip nor repeat. Shared by the
 * PostgreSQL and the PGlite tests.
 */
export async function checkHistoryOrder(db: Database, streamerId: string): Promise<void> {
  const at = (minute: number) => new Date(Date.UTC(2032, 0, 1, 0, minute)).toISOString();
  const moment = (id: string, minute: number, emote = "🔥"): Moment => ({
    id: `${streamerId}-${id}`,
    streamerId,
    emote,
    timestamp: at(minute),
    count: 6,
    total: 10,
    ratio: 0.6,
  });
  // Stored in this order: within minute 1 the ids run against the log (c, a, b).
  const stored = [moment("c", 1), moment("z", 0), moment("a", 1), moment("b", 1, "😀")];
  const positions = await commitAnalysis(db, {
    groupId: `history-${streamerId}`,
    topic: "history",
    partition: 0,
    nextOffset: 1n,
    streamers: [],
    moments: stored,
  });
  const byId = new Map(stored.map((m, i) => [m.id, positions[i]]));
  const expected = ["b", "a", "c", "z"].map((id) => `${streamerId}-${id}`);

  const all = await listMoments(db, { streamerId, limit: 10 });
  expect(all.map((m) => m.id)).toEqual(expected);
  expect(all.map((m) => m.position)).toEqual(expected.map((id) => byId.get(id)));

  const paged: string[] = [];
  let before: { windowStart: Date; position: number } | undefined;
  for (let page = 0; page < 3; page++) {
    const rows = await listMoments(db, { streamerId, limit: 2, ...(before && { before }) });
    const items = rows.slice(0, 2);
    paged.push(...items.map((m) => m.id));
    const last = items.at(-1);
    if (rows.length <= 2 || !last) break;
    before = { windowStart: new Date(last.timestamp), position: last.position };
  }
  expect(paged).toEqual(expected);

  const filtered = await listMoments(db, {
    streamerId,
    emote: "🔥",
    from: new Date(at(1)),
    to: new Date(at(2)),
    limit: 10,
  });
  expect(filtered.map((m) => m.id)).toEqual(["a", "c"].map((id) => `${streamerId}-${id}`));
}
