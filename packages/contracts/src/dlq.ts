/**
 * Why a record of `raw-emote-data` went to `raw-emote-data.dlq`: the `dlq-reason` header's
 * value and the `reason` label of `emote_worker_dlq_messages_total`. The one list: the
 * worker emits only these, and deploy/'s checks refuse any other value.
 */
export const DLQ_REASONS = [
  /** A tombstone or a zero-length value. */
  "empty",
  /** Over the raw message size limit, refused before decoding. */
  "too_large",
  /** Not UTF-8 JSON (binary garbage, a truncated text, nesting too deep to parse). */
  "not_json",
  "invalid_emote",
  "invalid_timestamp",
  "invalid_streamer_id",
  "invalid_id",
  /** JSON, but not an object with the contract's fields (an array, a number…). */
  "invalid",
  /** A valid ISO timestamp outside the accepted window (too old, or too far ahead). */
  "timestamp_out_of_range",
  /** PostgreSQL refused to store what the record led to (a data error: SQLSTATE 22 or 23). */
  "store_rejected",
  /** The broker refused what the record led to for good (too large, not serialisable). */
  "produce_rejected",
] as const;
export type DlqReason = (typeof DLQ_REASONS)[number];
