/**
 * A viewer's counted seconds for one emote (at most three: the per-viewer cap) in one
 * number, so an emote's viewer map holds no array per viewer (an array per entry, grown on
 * the viewer's second record, was most of the detector's garbage): the newest second ×
 * NEWEST plus the two before it as offsets back from it, 5 bits each (0: none). A second
 * more than MAX_OFFSET behind the newest is dropped: a record goes at most the late
 * allowance (2 s) before the streamer's newest second, so a second that far back is in
 * no later record's window and no weight changes. The committed state keeps the packed
 * number (version 4 kept the list: `packSeconds`).
 */
const OFFSET = 32;
const NEWEST = OFFSET * OFFSET;
const MAX_OFFSET = OFFSET - 1;

/** Three counted seconds, newest first (-Infinity: none), packed. */
export function packCounted(first: number, second: number, third: number): number {
  const secondBack = first - second;
  const thirdBack = first - third;
  return (
    first * NEWEST +
    (secondBack <= MAX_OFFSET ? secondBack * OFFSET : 0) +
    (thirdBack <= MAX_OFFSET ? thirdBack : 0)
  );
}

/** A viewer counted only in `sec`. */
export function packFirst(sec: number): number {
  return sec * NEWEST;
}

/** The newest second the viewer was counted in. */
export function newestCounted(packed: number): number {
  return Math.floor(packed / NEWEST);
}

/** The second (`earlier` 1) or third (2) newest counted second; -Infinity when there is none. */
export function earlierCounted(packed: number, earlier: 1 | 2): number {
  const first = newestCounted(packed);
  const back = packed - first * NEWEST;
  const secondBack = Math.floor(back / OFFSET);
  const offset = earlier === 1 ? secondBack : back - secondBack * OFFSET;
  return offset === 0 ? -Infinity : first - offset;
}

/** Counted seconds (ascending, as a version 4 state lists them) packed; a longer list keeps its latest. */
export function packSeconds(counted: readonly number[]): number {
  const n = counted.length;
  return packCounted(counted[n - 1] ?? 0, counted[n - 2] ?? -Infinity, counted[n - 3] ?? -Infinity);
}
