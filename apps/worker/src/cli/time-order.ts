import { LATE_ALLOWANCE_MS } from "../detectors/surge/surge-detector.ts";

/** Streamers remembered at once; beyond that the memory starts afresh (hostile input cannot grow it). */
const STREAMERS_MAX = 100_000;

/**
 * Counts records that come later in the input than the detectors can place them: more
 * than the late allowance behind their streamer's newest record. The detectors read each
 * stream in time order; an unsorted file still gives moments, but not the right ones, and
 * a user should hear that rather than guess.
 */
export class TimeOrderCheck {
  /** Records beyond the allowance, and the largest lag seen (ms). */
  late = 0;
  maxLagMs = 0;
  private readonly newest = new Map<string, number>();
  private lastStreamer = "";
  private lastNewest = -Infinity;

  observe(streamerId: string, timestampMs: number): void {
    // Consecutive records of one streamer are the common case: no lookup for them.
    let newest = streamerId === this.lastStreamer ? this.lastNewest : this.newest.get(streamerId);
    if (newest === undefined || timestampMs > newest) newest = timestampMs;
    else if (newest - timestampMs > LATE_ALLOWANCE_MS) {
      this.late++;
      this.maxLagMs = Math.max(this.maxLagMs, newest - timestampMs);
    }
    if (streamerId !== this.lastStreamer) {
      if (this.lastStreamer !== "") this.newest.set(this.lastStreamer, this.lastNewest);
      if (this.newest.size >= STREAMERS_MAX) this.newest.clear();
      this.lastStreamer = streamerId;
    }
    this.lastNewest = newest;
  }
}
