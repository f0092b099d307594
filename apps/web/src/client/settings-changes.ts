import type { Settings } from "./trpc.ts";

export interface FieldChange {
  field: "interval" | "threshold" | "allowedEmotes";
  before: string;
  after: string;
}

const show = (field: FieldChange["field"], s: Settings): string =>
  field === "allowedEmotes" ? s.allowedEmotes.join(" ") : String(s[field]);

/** What one settings change changed, field by field, for people to read; empty when nothing did. */
export function describeChange(before: Settings, after: Settings): FieldChange[] {
  const fields = ["interval", "threshold", "allowedEmotes"] as const;
  return fields
    .map((field) => ({ field, before: show(field, before), after: show(field, after) }))
    .filter((c) => c.before !== c.after);
}
