// Keywords that look like identifiers but are not series names.
const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "group_left",
  "group_right",
  "inf",
  "nan",
]);

/**
 * The series names a PromQL expression selects. Not a parser: it removes what can hold other
 * identifiers (strings, label matchers, ranges, grouping clauses, Grafana variables), then keeps
 * the identifiers that are not called as functions or aggregations.
 */
export function seriesNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{?\w+\}?/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.:])[A-Za-z_:][\w:]*/g)) {
    const calledAsFunction = /^\s*\(/.test(bare.slice(m.index + m[0].length));
    if (!calledAsFunction && !KEYWORDS.has(m[0])) names.add(m[0]);
  }
  return [...names];
}
