import type { TrendingFeed } from "@emote/api";
import type { TrendingBoard } from "@emote/contracts";

type Listener = (board: TrendingBoard) => number | void;

/**
 * The server's newest board of the platform view and its subscribers. Boards replace each
 * other: one is taken if its seq is higher than the newest one's, or its clock is later (a
 * merge that started again from nothing numbers from 1); a repeat (a merge republishing its
 * last board after a restart) is dropped.
 */
export class TrendingBoards {
  private newest: TrendingBoard | undefined;
  private readonly listeners = new Set<Listener>();

  readonly feed: TrendingFeed = {
    latest: () => this.newest,
    subscribe: (l) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    },
  };

  /** Returns whether the board was new (and went out to the subscribers). */
  offer(board: TrendingBoard): boolean {
    const held = this.newest;
    if (held && board.seq <= held.seq && Date.parse(board.at) <= Date.parse(held.at)) return false;
    this.newest = board;
    for (const l of this.listeners) l(board);
    return true;
  }
}
