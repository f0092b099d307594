import type { RecordHeaders } from "@emote/bus";
import { VIEWER_HEADER, VIEWER_HEADER_MAX } from "@emote/contracts";

/** The record's viewer (the `viewer` header), or undefined: absent, empty or longer than the contract allows. */
export function viewerFromHeaders(headers: RecordHeaders | undefined): string | undefined {
  const raw = headers?.[VIEWER_HEADER];
  if (raw === undefined) return undefined;
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined || first.length === 0 || first.length > VIEWER_HEADER_MAX * 4) return undefined;
  const text = typeof first === "string" ? first : first.toString("utf8");
  return text.length <= VIEWER_HEADER_MAX ? text : undefined;
}

/** FNV-1a: a viewer as 32 bits, so sets of viewers stay small in memory and in the committed state. */
export function viewerHash(viewer: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < viewer.length; i++) {
    h ^= viewer.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
