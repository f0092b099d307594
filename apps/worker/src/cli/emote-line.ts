import { parseRawEmote, timestampWindow, type TimestampWindow } from "@emote/contracts";
import { z } from "zod";
import type { DetectorRecord } from "../detectors/detector-types.ts";
import { parseFastAt, VIEWER_MAX } from "./fast-line.ts";

const viewerSchema = z
  .string()
  .min(1, "viewer must not be empty")
  .max(VIEWER_MAX, `viewer is at most ${VIEWER_MAX} characters`);

export type LineResult = { ok: true; record: DetectorRecord } | { ok: false; error: string };

/** One `raw-emote-data` value with an optional `viewer` field; never throws. */
export function parseEmoteLine(line: string, window: TimestampWindow = timestampWindow()): LineResult {
  const bytes = Buffer.from(line, "utf8");
  const fast = parseFastAt(bytes, 0, bytes.length, window);
  if (fast) return { ok: true, record: fast };
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: "not JSON" };
  }
  const parsed = parseRawEmote(bytes, window);
  if (!parsed.ok) return { ok: false, error: parsed.detail };
  if (typeof json !== "object" || json === null || !("viewer" in json))
    return { ok: true, record: parsed.value };
  const v = viewerSchema.safeParse(json.viewer);
  if (!v.success) return { ok: false, error: `invalid viewer: ${v.error.issues[0]?.message ?? "invalid"}` };
  return { ok: true, record: { ...parsed.value, viewer: v.data } };
}
