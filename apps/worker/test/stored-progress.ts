import type { StreamerProgress } from "@emote/db";

/** A streamer's progress as PostgreSQL gives it back: a detector state written as JSON text is read as the object. */
export function asStored(p: StreamerProgress): StreamerProgress {
  return typeof p.detectorState === "string"
    ? { ...p, detectorState: JSON.parse(p.detectorState) as Record<string, unknown> }
    : structuredClone(p);
}
