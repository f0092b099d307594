/**
 * The stored moment a live subscription resumes after: the last one in the moment log.
 * History comes newest window first, and within a window newest in the log first; a
 * moment of an earlier window can still be later in the log (positions follow commits,
 * not windows), so the page's highest position is taken rather than its first item.
 */
export function lastInLog<M extends { id: string; position?: number | undefined }>(
  moments: readonly M[],
): M | undefined {
  let last = moments[0];
  for (const m of moments) if ((m.position ?? -1) > (last?.position ?? -1)) last = m;
  return last;
}
