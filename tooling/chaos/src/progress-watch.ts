import { and, consumerCheckpoints, eq, type DatabaseConnection } from "@emote/db";

/** When each partition's stored checkpoint moved, as sampled. */
export interface PartitionProgress {
  partition: number;
  /** [time (ms since epoch), next offset] at every sample where the checkpoint had moved. */
  advances: [number, number][];
}

const SAMPLE_MS = 100;

/**
 * Samples the worker group's checkpoints in PostgreSQL (what is durably applied) every
 * 100 ms, so a test can ask how long any partition stood still while work was waiting.
 */
export class ProgressWatch {
  private readonly partitions = new Map<number, PartitionProgress>();
  private readonly timer: NodeJS.Timeout;
  private sampling: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly conn: DatabaseConnection,
    private readonly groupId: string,
    private readonly topic: string,
  ) {
    this.timer = setInterval(() => {
      if (this.sampling) return;
      this.sampling = this.sample()
        .catch((err: unknown) => {
          this.failure = err instanceof Error ? err : new Error(String(err));
        })
        .finally(() => (this.sampling = undefined));
    }, SAMPLE_MS);
  }

  private async sample(): Promise<void> {
    const rows = await this.conn.db
      .select({ partition: consumerCheckpoints.partition, next: consumerCheckpoints.nextOffset })
      .from(consumerCheckpoints)
      .where(and(eq(consumerCheckpoints.groupId, this.groupId), eq(consumerCheckpoints.topic, this.topic)));
    const now = Date.now();
    for (const row of rows) {
      const next = Number(row.next);
      let p = this.partitions.get(row.partition);
      if (!p) this.partitions.set(row.partition, (p = { partition: row.partition, advances: [] }));
      const last = p.advances.at(-1);
      if (!last || last[1] !== next) p.advances.push([now, next]);
    }
  }

  /** Records applied over all partitions, as last sampled. */
  applied(): number {
    this.throwIfFailed();
    let sum = 0;
    for (const p of this.partitions.values()) sum += p.advances.at(-1)?.[1] ?? 0;
    return sum;
  }

  /** Partitions that had moved by `at`, each with its first move after `at` (undefined: not yet). */
  movedAfter(at: number): Map<number, number | undefined> {
    this.throwIfFailed();
    const out = new Map<number, number | undefined>();
    for (const p of this.partitions.values()) {
      if (!p.advances.some(([t]) => t <= at)) continue;
      out.set(p.partition, p.advances.find(([t]) => t > at)?.[0]);
    }
    return out;
  }

  /**
   * The longest time any partition stood still between `from` and the moment it reached
   * `finalOffsets[partition]` (everything produced to it): with records arriving all the
   * time, a standstill is a failover or a stall.
   */
  longestStall(from: number, finalOffsets: Map<number, number>): { partition: number; ms: number } {
    this.throwIfFailed();
    let worst = { partition: -1, ms: 0 };
    for (const p of this.partitions.values()) {
      const end = finalOffsets.get(p.partition) ?? p.advances.at(-1)?.[1] ?? 0;
      let previous = from;
      for (const [t, next] of p.advances) {
        if (t < from) continue;
        if (t - previous > worst.ms) worst = { partition: p.partition, ms: t - previous };
        previous = t;
        if (next >= end) break;
      }
    }
    return worst;
  }

  /** The longest time between two moves of any partition but `except`, within [from, to]. */
  longestGap(from: number, to: number, except?: number): number {
    this.throwIfFailed();
    let worst = 0;
    for (const p of this.partitions.values()) {
      if (p.partition === except) continue;
      let previous = from;
      for (const [t] of p.advances) {
        if (t < from) continue;
        if (t > to) break;
        worst = Math.max(worst, t - previous);
        previous = t;
      }
      worst = Math.max(worst, to - previous);
    }
    return worst;
  }

  /** The partitions' last sampled next offsets. */
  offsets(): Map<number, number> {
    return new Map([...this.partitions.values()].map((p) => [p.partition, p.advances.at(-1)?.[1] ?? 0]));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
