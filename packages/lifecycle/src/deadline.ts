/**
 * `work`, or a rejection with `message` once `ms` have passed, whichever comes first.
 * For waits that must stay bounded whatever the other side does (a probe, a scrape, a
 * flush at exit). The timer never holds the process up by itself.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}
