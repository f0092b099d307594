import { shortId } from "../short-id.ts";
import type { Moment } from "@emote/contracts";
import type { Finding } from "./detector.ts";

/**
 * Deterministic moment id: the same stream replayed from the start (any consumer group)
 * yields the same ids, so storage upserts and clients de-duplicate by id.
 */
export function momentId(streamerId: string, batchSeq: number, windowStartMs: number, emote: string): string {
  return shortId(`${streamerId}\u0000${batchSeq}\u0000${windowStartMs}\u0000${emote}`);
}

export function toMoment(streamerId: string, batchSeq: number, f: Finding): Moment {
  return {
    id: momentId(streamerId, batchSeq, f.windowStartMs, f.emote),
    streamerId,
    emote: f.emote,
    timestamp: new Date(f.windowStartMs).toISOString(),
    count: f.count,
    total: f.total,
    ratio: f.ratio,
  };
}
