import type { Settings } from "./trpc.ts";

const FIELDS = ["interval", "threshold", "allowedEmotes", "detectors", "surge"] as const;

export interface FieldChange {
  field: (typeof FIELDS)[number];
  before: string;
  after: string;
}

/**
 * A field as people read it. Audit rows written before the detectors existed lack the
 * newer fields: those read as "—".
 */
function show(field: FieldChange["field"], s: Partial<Settings>): string {
  switch (field) {
    case "allowedEmotes":
      return s.allowedEmotes?.join(" ") ?? "—";
    case "detectors":
      return s.detectors?.join(" and ") ?? "—";
    case "surge":
      return s.surge
        ? `sensitivity ${s.surge.sensitivity}, at least ${s.surge.minViewers} viewers, cooldown ${s.surge.cooldownMs / 1000} s`
        : "—";
    default:
      return String(s[field] ?? "—");
  }
}

/** What one settings change changed, field by field, for people to read; empty when nothing did. */
export function describeChange(before: Partial<Settings>, after: Partial<Settings>): FieldChange[] {
  return FIELDS.map((field) => ({ field, before: show(field, before), after: show(field, after) })).filter(
    (c) => c.before !== c.after,
  );
}
