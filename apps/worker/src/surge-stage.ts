import type { Moment, SurgeSettings } from "@emote/contracts";
import { SurgeStreamerDetector } from "./detectors/surge-streamer.ts";

/**
 * One streamer's records of a batch for the surge detector, as columns: they cross to the
 * surge thread (surge-thread.ts) as a transfer, not record by record.
 */
export interface SurgeRun {
  streamerId: string;
  settings: SurgeSettings;
  /** Each record's emote: an index into the batch's `emotes`. */
  emote: Int32Array<ArrayBuffer>;
  timestampMs: Float64Array<ArrayBuffer>;
  /** Each record's viewer as the detector keys it (`surgeViewerKey`); -1 for a record without one. */
  viewer: Int32Array<ArrayBuffer>;
  /** Each record's position in the batch. */
  at: Int32Array<ArrayBuffer>;
}

/** A batch's work for the surge detectors: the runs, and the emote table their records index. */
export interface SurgeBatch {
  emotes: readonly string[];
  runs: SurgeRun[];
}

/** The moments one record decided. */
export interface SurgeFound {
  at: number;
  streamerId: string;
  moments: Moment[];
}

export interface SurgeBatchResult {
  /** Run after run, each in record order. */
  found: SurgeFound[];
  /**
   * Each run's streamer and its state after the batch as JSON text (`SurgeStreamerDetector.toText`),
   * to be committed with it. Serialised where it was made: a string crosses threads as one
   * copy, and the commit writes it as it is.
   */
  states: [streamerId: string, state: string][];
}

/** A streamer put in memory, with its committed surge state (undefined: none). */
export interface SurgeLoad {
  streamerId: string;
  state: unknown;
}

/**
 * The surge detectors of the streamers a worker holds in memory. It mirrors the worker's
 * streamers: loaded with them, forgotten with them (evicted, or all after a rebalance or
 * a failed batch), so its state is always what the last commit stored plus the batches in
 * flight. Calls take effect in order, whichever thread runs them.
 */
export interface SurgeStage {
  load(streamers: readonly SurgeLoad[]): void;
  forget(ids: readonly string[]): void;
  clear(): void;
  analyse(batch: SurgeBatch): Promise<SurgeBatchResult>;
  close(): Promise<void>;
}

/**
 * Gathers what the surge detector keys one streamer's records of a batch by (emote index,
 * viewer key); their times and positions are the run's own (`build`).
 */
export class SurgeRunBuilder {
  private readonly emote: number[] = [];
  private readonly viewer: number[] = [];

  constructor(
    private readonly streamerId: string,
    private readonly settings: SurgeSettings,
  ) {}

  add(emote: number, viewer: number): void {
    this.emote.push(emote);
    this.viewer.push(viewer);
  }

  /** The run, with the records' times and positions in the batch (as many as were added). */
  build(records: readonly { timestampMs: number }[], at: readonly number[]): SurgeRun {
    // A loop, not `Float64Array.from(records, fn)`, which calls the map function per element.
    const timestampMs = new Float64Array(records.length);
    for (let i = 0; i < records.length; i++)
      timestampMs[i] = (records[i] as { timestampMs: number }).timestampMs;
    return {
      streamerId: this.streamerId,
      settings: this.settings,
      emote: new Int32Array(this.emote),
      timestampMs,
      viewer: new Int32Array(this.viewer),
      at: new Int32Array(at),
    };
  }
}

/** The stage's work itself, on whichever thread it runs. */
export class SurgeStreamers {
  private readonly detectors = new Map<string, SurgeStreamerDetector>();

  /**
   * A committed state that does not validate (an older format) is not loaded: that
   * streamer's surge detector starts afresh from its next record, warm-up included.
   */
  load(streamers: readonly SurgeLoad[]): void {
    for (const { streamerId, state } of streamers) {
      const detector = state === undefined ? undefined : restored(state);
      if (detector) this.detectors.set(streamerId, detector);
      else this.detectors.delete(streamerId);
    }
  }

  forget(ids: readonly string[]): void {
    for (const id of ids) this.detectors.delete(id);
  }

  clear(): void {
    this.detectors.clear();
  }

  analyse({ emotes, runs }: SurgeBatch): SurgeBatchResult {
    const found: SurgeFound[] = [];
    const states: [string, string][] = [];
    for (const run of runs) {
      const { streamerId, settings, emote, timestampMs, viewer, at } = run;
      let detector = this.detectors.get(streamerId);
      if (!detector) {
        detector = new SurgeStreamerDetector();
        this.detectors.set(streamerId, detector);
      }
      for (let j = 0; j < at.length; j++) {
        const v = viewer[j] as number;
        const moments = detector.pushKeyed(
          streamerId,
          emotes[emote[j] as number] as string,
          timestampMs[j] as number,
          v < 0 ? undefined : v,
          settings,
        );
        if (moments !== null) found.push({ at: at[j] as number, streamerId, moments });
      }
      states.push([streamerId, detector.toText()]);
    }
    return { found, states };
  }
}

/** The stage on the consumer's own thread (tests, the embedded `npm start`). */
export function inlineSurgeStage(): SurgeStage {
  const streamers = new SurgeStreamers();
  return {
    load: (s) => streamers.load(s),
    forget: (ids) => streamers.forget(ids),
    clear: () => streamers.clear(),
    analyse: async (batch) => streamers.analyse(batch),
    close: async () => undefined,
  };
}

function restored(json: unknown): SurgeStreamerDetector | undefined {
  try {
    return SurgeStreamerDetector.fromJson(json);
  } catch {
    return undefined;
  }
}
