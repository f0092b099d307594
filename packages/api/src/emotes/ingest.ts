/**
 * What `emotes.send` needs from the server that runs it: the streamer's allowed emotes and
 * a way onto `raw-emote-data`. The web server implements it over the bus (apps/web
 * emote-ingest.ts); tests pass a fake.
 */
export interface EmoteIngest {
  /**
   * The emotes the streamer's settings allow, or null when no such streamer exists: from
   * memory the server keeps up to date, so a crowd costs no queries.
   */
  allowedEmotes(streamerId: string): AllowedEmotes;
  /**
   * Stamps the emote (id, timestamp, viewer, traceparent), queues it for Kafka and resolves
   * once Kafka has acknowledged it. Rejects with EmoteRefusedError when it is not taken.
   */
  send(emote: EmoteToSend): Promise<SentEmote>;
}

/** A streamer's allowed emotes; null: no such streamer. */
export type AllowedEmotes = readonly string[] | null;

export interface EmoteToSend {
  streamerId: string;
  emote: string;
  /** Whom the per-viewer limit counts (limitKey): hashed by the server, never stored raw. */
  viewerKey: string;
}

/** What the caller learns about its emote once Kafka has it. */
export interface SentEmote {
  id: string;
  /** ISO-8601, set by the server. */
  timestamp: string;
}

/**
 * Why an emote was not taken: the streamer's cap (`streamer_cap`), the server's own load
 * (`overloaded`: event loop late, `queue_full`: too many emotes awaiting Kafka), or Kafka
 * (`unavailable`: slow, away or failing).
 */
export type RefusalReason = "streamer_cap" | "overloaded" | "queue_full" | "unavailable";

export class EmoteRefusedError extends Error {
  override name = "EmoteRefusedError";
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** When the caller may try again. */
    readonly retryAfterMs = 1_000,
  ) {
    super(message);
  }
}
