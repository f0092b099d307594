/**
 * The stored moment a live subscription resumes after: the last one in the moment log.
 * History comes newest window first, and within a window by id, so its first item is not
 * always the last in the log; resuming from it would replay stored moments as live ones.
 */
export function lastInLog<M extends { id: string; position?: number | undefined }>(
  moments: readonly M[],
): M | undefined {
  let last = moments[0];
  for (const m of moments) if ((m.position ?? -1) > (last?.position ?? -1)) last = m;
  return last;
}
