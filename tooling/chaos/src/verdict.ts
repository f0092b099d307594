import type { Moment } from "@emote/contracts";

/** One line of the chaos table: what a consumer of the moments got against the reference. */
export interface Verdict {
  name: string;
  expected: number;
  /** Moments stored (rows) or delivered (events, repeats included). */
  got: number;
  /** Expected moments missing, or present with other content. */
  lost: number;
  /** Deliveries (or rows) of a moment beyond its first. */
  duplicated: number;
  /** Moments the reference does not have. */
  unexpected: number;
  /** Deliveries that came after a later moment of the same streamer. */
  outOfOrder: number;
  /** Longest time without a delivery (subscribers) or a partition's progress (workers), ms. */
  longestStallMs: number;
}

/** The fields the reference has are equal; fields it does not know (a stored position) are not compared. */
function same(ref: Moment, m: Moment): boolean {
  const got = m as unknown as Record<string, unknown>;
  return Object.entries(ref).every(([k, v]) => JSON.stringify(v) === JSON.stringify(got[k]));
}

/** Stored rows against the reference (`stallMs`: the workers' longest standstill). */
export function judgeStored(name: string, expected: Moment[], stored: Moment[], stallMs: number): Verdict {
  return judge(name, expected, stored, stallMs, undefined);
}

/**
 * Deliveries, in arrival order, against the reference restricted to the subscriber's
 * streamer (all when undefined). Order is the reference's per streamer: batch by batch
 * (`batchSeqs`), as the worker publishes them; within a batch moments have no order.
 */
export function judgeDelivered(
  name: string,
  expected: Moment[],
  batchSeqs: Map<string, number>,
  streamerId: string | undefined,
  deliveries: { at: number; moment: Moment }[],
): Verdict {
  const wanted = streamerId === undefined ? expected : expected.filter((m) => m.streamerId === streamerId);
  let stall = 0;
  for (let i = 1; i < deliveries.length; i++) {
    stall = Math.max(stall, (deliveries[i]?.at ?? 0) - (deliveries[i - 1]?.at ?? 0));
  }
  return judge(
    name,
    wanted,
    deliveries.map((d) => d.moment),
    stall,
    batchSeqs,
  );
}

function judge(
  name: string,
  expected: Moment[],
  got: Moment[],
  longestStallMs: number,
  batchSeqs: Map<string, number> | undefined,
): Verdict {
  const want = new Map(expected.map((m) => [m.id, m]));
  const seen = new Set<string>();
  const highest = new Map<string, number>();
  let duplicated = 0;
  let unexpected = 0;
  let outOfOrder = 0;
  let matched = 0;
  for (const m of got) {
    if (seen.has(m.id)) {
      duplicated++;
      continue;
    }
    seen.add(m.id);
    const ref = want.get(m.id);
    if (!ref) {
      unexpected++;
      continue;
    }
    if (same(ref, m)) matched++;
    if (!batchSeqs) continue;
    const r = batchSeqs.get(m.id) ?? 0;
    if (r < (highest.get(m.streamerId) ?? -1)) outOfOrder++;
    highest.set(m.streamerId, Math.max(r, highest.get(m.streamerId) ?? -1));
  }
  return {
    name,
    expected: expected.length,
    got: got.length,
    lost: expected.length - matched,
    duplicated,
    unexpected,
    outOfOrder,
    longestStallMs,
  };
}

/** The one table the chaos run prints. */
export function formatTable(emotes: number, verdicts: Verdict[]): string {
  const header = [
    "",
    "emotes",
    "expected",
    "stored/delivered",
    "lost",
    "duplicated",
    "unexpected",
    "out of order",
    "longest stall",
  ];
  const rows = verdicts.map((v) => [
    v.name,
    String(emotes),
    String(v.expected),
    String(v.got),
    String(v.lost),
    String(v.duplicated),
    String(v.unexpected),
    String(v.outOfOrder),
    `${(v.longestStallMs / 1000).toFixed(1)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `-${"-".repeat(w)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
