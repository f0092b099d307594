import { useState } from "react";
import { trpc, type TrendingBoard } from "../trpc.ts";

/**
 * The newest board of the platform view, live. A reconnect resumes from the last board
 * received (the client's links send its id); the server then sends the newest if it is
 * another one.
 */
export function useTrendingBoard(): TrendingBoard | null {
  const [board, setBoard] = useState<TrendingBoard | null>(null);
  trpc.trending.live.useSubscription(undefined, {
    onData({ data }) {
      setBoard((held) => (held && held.seq === data.seq ? held : data));
    },
  });
  return board;
}
