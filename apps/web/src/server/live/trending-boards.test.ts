import type { TrendingBoard } from "@emote/contracts";
import { describe, expect, it } from "vitest";
import { TrendingBoards } from "./trending-boards.ts";

const board = (seq: number, at: number): TrendingBoard => ({
  seq,
  at: new Date(at).toISOString(),
  windows: [],
  surging: [],
  liveSurges: 0,
  intensity: [],
});

describe("TrendingBoards", () => {
  it("keeps the newest board and drops repeats and older ones", () => {
    const boards = new TrendingBoards();
    const seen: number[] = [];
    boards.feed.subscribe((b) => void seen.push(b.seq));
    expect(boards.offer(board(2, 2_000))).toBe(true);
    expect(boards.offer(board(2, 2_000))).toBe(false);
    expect(boards.offer(board(1, 1_000))).toBe(false);
    expect(boards.offer(board(3, 3_000))).toBe(true);
    expect(seen).toEqual([2, 3]);
    expect(boards.feed.latest()?.seq).toBe(3);
  });

  it("takes a lower seq with a later clock: a merge that started again from nothing", () => {
    const boards = new TrendingBoards();
    boards.offer(board(50, 5_000));
    expect(boards.offer(board(1, 6_000))).toBe(true);
    expect(boards.feed.latest()?.seq).toBe(1);
  });
});
