/**
 * The metrics the processes expose, by prom-client type. The one list that deploy/ (alert rules and
 * dashboard queries) is checked against: a renamed metric must change here and in deploy/ together.
 */
export const EMOTE_METRICS = {
  emote_generator_emotes_produced_total: "counter",
  emote_worker_emotes_consumed_total: "counter",
  emote_worker_dlq_messages_total: "counter",
  emote_worker_replayed_records_skipped_total: "counter",
  emote_worker_earlier_log_checkpoints_total: "counter",
  emote_worker_moments_emitted_total: "counter",
  emote_worker_analyses_total: "counter",
  emote_worker_analysis_batch_duration_seconds: "histogram",
  emote_worker_consumer_lag_messages: "gauge",
  emote_worker_consumer_lag_seconds: "gauge",
  emote_worker_settings_reloads_total: "counter",
  emote_worker_database_retries_total: "counter",
  emote_web_websocket_connections: "gauge",
  emote_web_subscriptions_active: "gauge",
  emote_web_moments_received_total: "counter",
  emote_web_messages_delivered_total: "counter",
  emote_web_messages_dropped_total: "counter",
  emote_web_slow_client_disconnects_total: "counter",
  emote_web_pong_timeouts_total: "counter",
  emote_web_idle_closes_total: "counter",
  emote_web_limit_refusals_total: "counter",
  emote_web_rate_limited_total: "counter",
  emote_web_emotes_accepted_total: "counter",
  emote_web_emotes_limited_total: "counter",
  emote_web_emotes_failed_total: "counter",
  emote_web_emotes_shed_total: "counter",
  emote_web_emotes_pending: "gauge",
  emote_trending_partials_published_total: "counter",
  emote_trending_invalid_records_total: "counter",
  emote_trending_boards_published_total: "counter",
  emote_trending_state_write_duration_seconds: "histogram",
  emote_trending_lag_seconds: "gauge",
  emote_trending_held_entries: "gauge",
  emote_trending_platform_emotes: "gauge",
  emote_trending_platform_viewers: "gauge",
  emote_ready: "gauge",
  emote_dependency_up: "gauge",
} as const satisfies Record<string, "counter" | "gauge" | "histogram">;

/** Series a query may select; a histogram is stored as its _bucket, _sum and _count series. */
const EMOTE_SERIES = new Set(
  Object.entries(EMOTE_METRICS).flatMap(([name, type]) =>
    type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
  ),
);

/** True for our series, prom-client's default process_/nodejs_ metrics and Prometheus's own `up`. */
export function isKnownSeries(name: string): boolean {
  return EMOTE_SERIES.has(name) || name === "up" || /^(process|nodejs)_/.test(name);
}

/** The metric a series belongs to (strips a histogram's suffix), for coverage checks. */
export function metricOf(series: string): string {
  const base = series.replace(/_(bucket|sum|count)$/, "");
  return base in EMOTE_METRICS ? base : series;
}
