import type { BatchControl, BusProducer, RecordBatch } from "@emote/bus";
import { trendingBoardSchema, trendingPartialSchema, type TrendingBoard } from "@emote/contracts";
import type { MergeCommit, StoredMergeState } from "@emote/db";
import type { Logger } from "@emote/observability";
import { MergeState, type MergeLimits, type MergeStateJson } from "./merge-state.ts";
import type { TrendingMetrics } from "./trending-metrics.ts";

export interface MergeStore {
  load(): Promise<StoredMergeState | null>;
  commit(c: Omit<MergeCommit, "groupId">): Promise<void>;
  isSuperseded(err: unknown): boolean;
}

export interface MergeStageDeps {
  topics: { trending: string };
  producer: BusProducer;
  store: MergeStore;
  log: Logger;
  limits?: MergeLimits;
  /** Boards are published at most this often, unless a surge started or ended (default 1 s). */
  boardIntervalMs?: number;
  now?: () => number;
  /** Each board published (benchmarks). */
  published?: (board: TrendingBoard) => void;
  metrics?: TrendingMetrics;
}

interface Loaded {
  state: MergeState;
  /** `applied` as stored: the commit's guard against a successor's state. */
  stored: Record<string, number> | null;
  boardSeq: number;
  /** Changes since the last board. */
  dirty: boolean;
  lastBoardMs: number;
}

/**
 * The merge step on the bus: applies `trending-partials` (each (source, seq) once) to the
 * bounded MergeState and commits the state, the partials applied, the intensity they added
 * and the board to publish in one PostgreSQL transaction per batch, then publishes the
 * board on `trending`. Killed at any point, the next owner loads the state and publishes
 * the last board again (gateways keep the highest seq); replayed partials are repeats.
 */
export class MergeStage {
  private loaded: Loaded | undefined;
  /** Batches and timer publications one at a time. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: MergeStageDeps) {}

  reset(): void {
    this.loaded = undefined;
  }

  /** Entries the merge holds (its memory bound), 0 before it loaded. */
  entries(): number {
    return this.loaded?.state.entries() ?? 0;
  }

  handle(batch: RecordBatch, control: BatchControl): Promise<void> {
    return this.serially(async () => {
      const loaded = this.loaded ?? (await this.load());
      let surgesChanged = false;
      let changed = false;
      const intensity = new Map<number, number>();
      const viewersRose = new Set<number>();
      let invalid = 0;
      let newestRecordMs = 0;
      for (const record of batch.records) {
        const parsed = trendingPartialSchema.safeParse(parseJson(String(record.value)));
        if (!parsed.success) {
          invalid++;
          continue;
        }
        newestRecordMs = Math.max(newestRecordMs, Number(record.timestamp ?? 0));
        const applied = loaded.state.apply(parsed.data);
        if (!applied) continue;
        loaded.dirty = true;
        changed = true;
        surgesChanged ||= applied.surgesChanged;
        for (const b of applied.intensity)
          intensity.set(b.bucketStart, (intensity.get(b.bucketStart) ?? 0) + b.emotes);
        for (const b of applied.viewersRose) viewersRose.add(b);
      }
      if (invalid > 0) {
        this.deps.metrics?.invalidRecords.inc({ step: "merge" }, invalid);
        this.deps.log.warn({ invalid }, "skipped records that are not trending partials");
      }
      const dueMs = this.deps.boardIntervalMs ?? 1_000;
      const board = loaded.dirty && (surgesChanged || this.now() - loaded.lastBoardMs >= dueMs);
      // Only repeats: nothing to store.
      if (changed)
        await this.commit(loaded, board, intensityRows(loaded.state, intensity, viewersRose), newestRecordMs);
      const last = batch.records.at(-1);
      if (last) await control.commit(last.offset);
    });
  }

  /** Publishes a board for changes a batch left unpublished (called every interval). */
  flush(): Promise<void> {
    return this.serially(async () => {
      const loaded = this.loaded;
      if (!loaded?.dirty) return;
      await this.commit(loaded, true, [], 0);
    });
  }

  private async commit(
    loaded: Loaded,
    withBoard: boolean,
    intensity: MergeCommit["intensity"],
    /** Newest input record time of the batch (0: a timer's board, no input). */
    newestRecordMs: number,
  ): Promise<void> {
    const applied = loaded.state.appliedJSON();
    const board = withBoard ? loaded.state.board(loaded.boardSeq + 1) : undefined;
    const started = this.now();
    const state = { merge: loaded.state.toJSON(), boardSeq: board?.seq ?? loaded.boardSeq };
    await this.deps.store.commit({
      previousApplied: loaded.stored,
      applied,
      state,
      intensity,
      ...(board && { board: { seq: board.seq, at: new Date(board.at), value: board } }),
    });
    this.deps.metrics?.committed("merge", newestRecordMs, (this.now() - started) / 1000);
    loaded.stored = applied;
    if (!board) return;
    loaded.boardSeq = board.seq;
    loaded.dirty = false;
    loaded.lastBoardMs = this.now();
    await this.publish(board);
  }

  private async load(): Promise<Loaded> {
    const stored = await this.deps.store.load();
    const saved = stored?.state as { merge: MergeStateJson; boardSeq: number } | undefined;
    const state = saved
      ? MergeState.fromJSON(stored?.applied ?? {}, saved.merge, this.deps.limits)
      : new MergeState(this.deps.limits);
    state.loadViewerSketches(stored?.viewerSketches ?? []);
    const lastBoard = stored?.lastBoard ? trendingBoardSchema.safeParse(stored.lastBoard) : undefined;
    // The last owner may have died between its commit and its publication.
    if (lastBoard?.success) await this.publish(lastBoard.data);
    this.loaded = {
      state,
      stored: stored?.applied ?? null,
      boardSeq: saved?.boardSeq ?? 0,
      dirty: false,
      lastBoardMs: 0,
    };
    return this.loaded;
  }

  private async publish(board: TrendingBoard): Promise<void> {
    await this.deps.producer.send([
      { topic: this.deps.topics.trending, records: [{ key: "board", value: JSON.stringify(board) }] },
    ]);
    this.deps.published?.(board);
    this.deps.metrics?.published(board);
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      try {
        await work();
      } catch (err) {
        // What was applied in memory is not durable: reload from the last commit.
        this.loaded = undefined;
        if (this.deps.store.isSuperseded(err)) {
          this.deps.log.warn("the merge state moved on under another owner: batch dropped");
          return;
        }
        throw err;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

/** The emotes the batch added per bucket, and the new estimate of each bucket whose viewers rose. */
function intensityRows(
  state: MergeState,
  emotes: Map<number, number>,
  viewersRose: Set<number>,
): MergeCommit["intensity"] {
  const rows = new Map<number, MergeCommit["intensity"][number]>();
  for (const [bucketStart, n] of emotes) rows.set(bucketStart, { bucketStart, emotes: n });
  for (const bucketStart of viewersRose) {
    const viewers = state.viewersIn(bucketStart);
    if (viewers === undefined) continue;
    const viewerSketch = state.viewerSketch(bucketStart);
    rows.set(bucketStart, {
      bucketStart,
      emotes: rows.get(bucketStart)?.emotes ?? 0,
      viewers,
      ...(viewerSketch !== undefined && { viewerSketch }),
    });
  }
  return [...rows.values()];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
