/** What one subscriber got of its streamer's moments against the moment log. */
export interface SubscriberVerdict {
  /** Positions of the log (after the start) never delivered. */
  lost: number;
  /** Deliveries of a position beyond its first. */
  duplicated: number;
  /** Deliveries of a position lower than one delivered before (repeats not counted). */
  outOfOrder: number;
  /** Deliveries of a position the log does not have for this streamer. */
  unexpected: number;
}

/** `delivered` (positions in arrival order) against `expected` (the log's positions of the streamer after the start). */
export function judgeSubscriber(
  expected: readonly number[],
  delivered: readonly number[],
): SubscriberVerdict {
  const wanted = new Set(expected);
  const seen = new Set<number>();
  let duplicated = 0;
  let outOfOrder = 0;
  let unexpected = 0;
  let highest = Number.NEGATIVE_INFINITY;
  for (const p of delivered) {
    if (seen.has(p)) {
      duplicated++;
      continue;
    }
    seen.add(p);
    if (!wanted.has(p)) unexpected++;
    if (p < highest) outOfOrder++;
    highest = Math.max(highest, p);
  }
  const lost = expected.filter((p) => !seen.has(p)).length;
  return { lost, duplicated, outOfOrder, unexpected };
}

/** The p-th percentile (0–100, nearest rank) of `values`; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** Emotes of one phase of the rehearsal, as the viewers saw them and as the raw topic has them. */
export interface EmoteTally {
  phase: string;
  sent: number;
  /** Answered with an id: Kafka had it. */
  acknowledged: number;
  /** Failed (refused, or unanswered on a closed socket): the viewer may send it again. */
  refused: number;
  /** Acknowledged but not on the raw topic. */
  lost: number;
}

export interface Targets {
  /** Refused at most this share of a phase's sends (0.01: 1 %). */
  maxRefusedShare: number;
  /** Reconnect p99 at most this, ms. */
  maxReconnectP99Ms: number;
}

export const TARGETS: Targets = { maxRefusedShare: 0.01, maxReconnectP99Ms: 5_000 };
/** `--correctness-only`: the timing targets are printed, not judged. */
export const CORRECTNESS_TARGETS: Targets = {
  maxRefusedShare: 1,
  maxReconnectP99Ms: Number.POSITIVE_INFINITY,
};

export interface RehearsalOutcome {
  subscribers: SubscriberVerdict[];
  /** Every subscriber's every reconnect, ms from its socket closing to the new one open. */
  reconnectsMs: number[];
  emotes: EmoteTally[];
  /** Subscriptions that ended with an error (resume lost, refused). */
  subscriptionErrors: number;
}

/**
 * The refusal target is per switch: a phase counts with the switch it follows ("after
 * rollback" with "rollback"), since a client still reconnecting from that switch is what
 * refuses there; a short settle phase alone is a handful of sends, where one refusal is
 * over 1 %. Phases before the first switch form a group of their own.
 */
function switchGroups(tallies: EmoteTally[]): { phase: string; sent: number; refused: number }[] {
  const groups: { phase: string; sent: number; refused: number }[] = [];
  for (const t of tallies) {
    const last = groups.at(-1);
    const startsGroup = last === undefined || SWITCH_PHASES.has(t.phase);
    if (startsGroup) groups.push({ phase: t.phase, sent: t.sent, refused: t.refused });
    else {
      last.sent += t.sent;
      last.refused += t.refused;
      last.phase = last.phase.includes(" and what followed") ? last.phase : `${last.phase} and what followed`;
    }
  }
  return groups;
}

/** The phases that change which gateways serve. */
export const SWITCH_PHASES: ReadonlySet<string> = new Set([
  "rolling restart",
  "blue-green switch",
  "rollback",
]);

/** The targets a rehearsal missed, one line each (none: it passed). */
export function missedTargets(outcome: RehearsalOutcome, targets: Targets = TARGETS): string[] {
  const missed: string[] = [];
  const sum = (key: keyof SubscriberVerdict) => outcome.subscribers.reduce((s, v) => s + v[key], 0);
  for (const key of ["lost", "duplicated", "outOfOrder", "unexpected"] as const) {
    const n = sum(key);
    if (n > 0) missed.push(`moments ${key}: ${n} (target 0)`);
  }
  if (outcome.subscriptionErrors > 0)
    missed.push(`subscriptions ended by an error: ${outcome.subscriptionErrors} (target 0)`);
  for (const t of outcome.emotes) {
    if (t.lost > 0) missed.push(`${t.phase}: ${t.lost} acknowledged emotes not on the raw topic (target 0)`);
  }
  for (const g of switchGroups(outcome.emotes)) {
    if (g.sent > 0 && g.refused / g.sent > targets.maxRefusedShare)
      missed.push(
        `${g.phase}: ${((100 * g.refused) / g.sent).toFixed(2)} % of emotes refused (target ≤ ${100 * targets.maxRefusedShare} %)`,
      );
  }
  const p99 = percentile(outcome.reconnectsMs, 99);
  if (p99 !== undefined && p99 > targets.maxReconnectP99Ms)
    missed.push(`reconnect p99 ${p99} ms (target ≤ ${targets.maxReconnectP99Ms} ms)`);
  return missed;
}

/** The printed report: the subscribers' totals and worst, reconnect percentiles, emotes per phase. */
export function formatReport(outcome: RehearsalOutcome): string {
  const subs = outcome.subscribers;
  const total = (key: keyof SubscriberVerdict) => subs.reduce((s, v) => s + v[key], 0);
  const worst = (key: keyof SubscriberVerdict) => subs.reduce((m, v) => Math.max(m, v[key]), 0);
  const r = outcome.reconnectsMs;
  const lines = [
    `subscribers: ${subs.length}; moments per subscriber — lost ${total("lost")} in all (worst ${worst("lost")}), ` +
      `duplicated ${total("duplicated")} (worst ${worst("duplicated")}), out of order ${total("outOfOrder")} ` +
      `(worst ${worst("outOfOrder")}), unexpected ${total("unexpected")}; subscriptions ended by an error ${outcome.subscriptionErrors}`,
    `reconnects: ${r.length}; p50 ${percentile(r, 50) ?? "-"} ms, p99 ${percentile(r, 99) ?? "-"} ms, max ${percentile(r, 100) ?? "-"} ms`,
    "",
    "| phase | emotes sent | acknowledged | refused | refused % | acknowledged and lost |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...outcome.emotes.map(
      (t) =>
        `| ${t.phase} | ${t.sent} | ${t.acknowledged} | ${t.refused} | ${t.sent ? ((100 * t.refused) / t.sent).toFixed(2) : "0.00"} | ${t.lost} |`,
    ),
  ];
  return lines.join("\n");
}
