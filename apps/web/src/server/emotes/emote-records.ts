import { createHmac, randomBytes } from "node:crypto";
import type { OutgoingRecord } from "@emote/bus";
import { encodeRawEmote } from "@emote/contracts";
import { TRACEPARENT, TraceIdSource } from "@emote/observability";

/** Header of a `raw-emote-data` record sent by a gateway: who reacted, as a keyed hash. */
export const VIEWER_HEADER = "viewer";

/** Viewers whose hash is remembered at most (a crowd reacts again and again). */
const VIEWER_IDS_MAX = 50_000;

/**
 * Stable pseudonyms for viewers: HMAC-SHA256 of the limit key (`sub:<role>:<sub>` or
 * `addr:<address>`) under a key derived from the server's secret, 22 base64url characters.
 * Keyed, so an address cannot be found by hashing every IPv4 address; stable across
 * restarts and gateways that share the secret, so a viewer's emotes can be told apart.
 */
export class ViewerIds {
  private readonly key: Buffer;
  private readonly known = new Map<string, string>();

  constructor(secret: string) {
    this.key = createHmac("sha256", secret).update("emote-pulse viewer id v1").digest();
  }

  of(viewerKey: string): string {
    let id = this.known.get(viewerKey);
    if (id === undefined) {
      id = createHmac("sha256", this.key).update(viewerKey).digest("base64url").slice(0, 22);
      if (this.known.size >= VIEWER_IDS_MAX) this.known.clear();
      this.known.set(viewerKey, id);
    }
    return id;
  }
}

export interface StampedEmote {
  id: string;
  timestamp: string;
  record: OutgoingRecord;
}

/**
 * Turns a viewer's emote into its `raw-emote-data` record: the server's timestamp, an id
 * unique to this gateway process (`g-<random>-<n>`), the viewer's pseudonym and a new
 * trace context as headers, keyed by streamer like every producer's.
 */
export class EmoteStamper {
  private readonly prefix = `g-${randomBytes(6).toString("base64url")}-`;
  private seq = 0;
  private readonly traces = new TraceIdSource();

  constructor(private readonly viewers: ViewerIds) {}

  stamp(streamerId: string, emote: string, viewerKey: string): StampedEmote {
    const id = this.prefix + (this.seq++).toString(36);
    const timestamp = new Date().toISOString();
    return {
      id,
      timestamp,
      record: {
        key: streamerId,
        value: encodeRawEmote({ emote, timestamp, streamerId, id }),
        headers: { [TRACEPARENT]: this.traces.traceparent(), [VIEWER_HEADER]: this.viewers.of(viewerKey) },
      },
    };
  }
}
