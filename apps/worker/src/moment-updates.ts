import type { Analysis } from "./committed-publishing.ts";

/**
 * A batch may hold a surge's onset and its end (the same id twice): only the last version
 * is committed and published, so one id takes one position per commit. Analyses stay in
 * their order; the common batch (no id twice) is returned as it is.
 */
export function collapseUpdates(analyses: Analysis[]): Analysis[] {
  const last = new Map<string, number>();
  let repeated = false;
  let n = 0;
  for (const a of analyses) {
    for (const m of a.moments) {
      if (m.surge === undefined) {
        n++;
        continue;
      }
      if (last.has(m.id)) repeated = true;
      last.set(m.id, n++);
    }
  }
  if (!repeated) return analyses;
  let i = 0;
  const kept: Analysis[] = [];
  for (const a of analyses) {
    const moments = a.moments.filter((m) => {
      const at = i++;
      return m.surge === undefined || last.get(m.id) === at;
    });
    if (moments.length > 0) kept.push({ streamerId: a.streamerId, moments });
  }
  return kept;
}
