/**
 * Forward compatibility of migrations: a new version's schema must still work for the version
 * before it, because during a rolling or blue-green deploy both run on one database, and a
 * rollback runs the old version on the new schema (there are no down-migrations). So migrations
 * only expand: add tables, columns (nullable or with a default), indexes. What contracts the
 * schema under the old version's feet is refused here, unless the allow-list says why it is safe.
 */
export interface Destructive {
  file: string;
  statement: string;
  why: string;
}

const RULES: { pattern: RegExp; why: string }[] = [
  {
    pattern: /\bDROP\s+(TABLE|COLUMN|TYPE|SCHEMA|VIEW|FUNCTION)\b/i,
    why: "drops what the old version may read",
  },
  { pattern: /^TRUNCATE\b/i, why: "empties a table the old version reads" },
  { pattern: /\bRENAME\b/i, why: "renames what the old version names" },
  {
    pattern: /\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b/i,
    why: "changes a column's type under the old version",
  },
  { pattern: /\bALTER\s+TYPE\b/i, why: "changes a type the old version writes" },
  {
    pattern: /\bSET\s+NOT\s+NULL\b/i,
    why: "makes a column required that the old version does not write (add it with a DEFAULT instead)",
  },
];

/** The statements of one drizzle migration file (split at its breakpoints), comments and final `;` dropped. */
export function statementsOf(sql: string): string[] {
  return sql
    .split("--> statement-breakpoint")
    .map((s) =>
      s
        .split("\n")
        .filter((line) => !line.trim().startsWith("--"))
        .join(" ")
        .replace(/\s+/g, " ")
        .trim()
        .replace(/;$/, ""),
    )
    .filter(Boolean);
}

/** The destructive statements of `files` (name → SQL). */
export function destructiveStatements(files: Record<string, string>): Destructive[] {
  return Object.entries(files).flatMap(([file, sql]) =>
    statementsOf(sql).flatMap((statement) => {
      const rule = RULES.find((r) => r.pattern.test(statement));
      return rule ? [{ file, statement, why: rule.why }] : [];
    }),
  );
}
