import { deleteExpiredIntensity, type Database } from "@emote/db";
import { errorMessage, type Logger } from "@emote/observability";

export const DEFAULT_INTENSITY_RETENTION_DAYS = 30;
/** How often expired buckets are looked for (and once at start). */
const RETENTION_EVERY_MS = 10 * 60_000;
/** Rows one statement deletes: short locks, bounded work; more go at the next statements. */
const DELETE_LIMIT = 5_000;
/** Statements per round at most: a backlog (a lowered retention) goes over a few rounds. */
const MAX_STATEMENTS_PER_ROUND = 20;

/**
 * Deletes timeline buckets older than the retention, periodically, in bounded statements.
 * Every worker runs it: the deletes are idempotent, and rows locked by another worker's
 * delete are simply waited for. Best effort: a failed round is logged and tried next time.
 */
export class IntensityRetention {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      db: Database;
      /** 0 keeps the buckets for ever. */
      retentionDays: number;
      log: Logger;
      now?: () => number;
    },
  ) {}

  start(): void {
    if (this.deps.retentionDays <= 0) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), RETENTION_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
  }

  /** One round: deletes until nothing older is left or the round's statements are used. */
  async deleteExpired(): Promise<number> {
    const before = new Date((this.deps.now ?? Date.now)() - this.deps.retentionDays * 86_400_000);
    let total = 0;
    for (let i = 0; i < MAX_STATEMENTS_PER_ROUND; i++) {
      const deleted = await deleteExpiredIntensity(this.deps.db, before, DELETE_LIMIT);
      total += deleted;
      if (deleted < DELETE_LIMIT) break;
    }
    return total;
  }

  private tick(): void {
    if (this.round) return;
    this.round = this.deleteExpired()
      .then(
        (deleted) => {
          if (deleted > 0) this.deps.log.info({ deleted }, "expired timeline buckets deleted");
        },
        (err: unknown) =>
          this.deps.log.warn({ err: errorMessage(err) }, "expired timeline buckets not deleted"),
      )
      .finally(() => {
        this.round = undefined;
      });
  }
}
