import { hash } from "node:crypto";

/**
 * A deterministic id of 22 base64url characters (132 bits of SHA-256) for `key`: the
 * worker's moment and stream ids, so a replay yields the same ids and storage upserts.
 * The one-shot hash, about twice as fast as a Hash object for keys this short.
 */
export function shortId(key: string): string {
  return hash("sha256", key, "base64url").slice(0, 22);
}
