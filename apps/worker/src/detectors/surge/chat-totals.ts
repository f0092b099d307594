import { RING_SECONDS, slotOf } from "./emote-track.ts";

/**
 * One streamer's whole chat: the viewer-capped weight of all its emotes per second, in a
 * ring aligned with the emotes' rings, and the sum of the emotes' baseline rates. Together
 * they give each emote's expected share of the chat, the share test's null hypothesis
 * (see `windowScore`). Plain data, like the emote tracks.
 */
export interface ChatTotals {
  /** The second each slot holds (-1: none); slot = second mod RING_SECONDS. */
  sec: number[];
  /** Weight of all emotes per slot. */
  weight: number[];
  /** Sum of the baseline rates of the tracked emotes (kept as they change). */
  baselineSum: number;
}

export function newChatTotals(): ChatTotals {
  return {
    sec: new Array<number>(RING_SECONDS).fill(-1),
    weight: new Array<number>(RING_SECONDS).fill(0),
    baselineSum: 0,
  };
}

export function addToTotals(totals: ChatTotals, sec: number, weight: number): void {
  const slot = slotOf(sec);
  if (totals.sec[slot] !== sec) {
    totals.sec[slot] = sec;
    totals.weight[slot] = 0;
  }
  totals.weight[slot] = (totals.weight[slot] ?? 0) + weight;
}
