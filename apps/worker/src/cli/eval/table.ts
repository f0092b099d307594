import type { Metrics } from "./scoring.ts";

export interface Row {
  scenario: string;
  detector: string;
  metrics: Metrics;
}

const HEADER = [
  "scenario",
  "detector",
  "precision",
  "recall",
  "F1",
  "dup",
  "lat p50 s",
  "lat p95 s",
  "moments/streamer-h",
  "emotes/CPU-s",
];

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "–";
}

/** A markdown table, so the report can be pasted into the docs as printed. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [`| ${HEADER.join(" | ")} |`, `|${HEADER.map(() => "---").join("|")}|`];
  for (const { scenario, detector, metrics: m } of rows) {
    const cells = [
      scenario,
      detector,
      fixed(m.precision, 3),
      fixed(m.recall, 3),
      fixed(m.f1, 3),
      String(m.duplicates),
      fixed(m.latencyP50S, 1),
      fixed(m.latencyP95S, 1),
      fixed(m.momentsPerStreamerHour, 1),
      Math.round(m.emotesPerSecond).toLocaleString("en-US"),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
