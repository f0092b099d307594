import {
  isRecordRejected,
  recordBytes,
  type BatchControl,
  type BusProducer,
  type OutgoingRecord,
} from "@emote/bus";
import type { Moment } from "@emote/contracts";
import { errorMessage, type Logger } from "@emote/observability";
import { fittingRecords } from "./record-fitting.ts";

/** A streamer's moments of one batch. */
export interface Analysis {
  streamerId: string;
  moments: Moment[];
}

/**
 * Publishes moments whose commit is stored: after each commit, and again when a worker
 * takes a partition over (the last commit's moments, perhaps never published).
 */
export class CommittedPublisher {
  constructor(
    private readonly deps: {
      producer: BusProducer;
      log: Logger;
      /** The moments topic and the largest record it takes (its max.message.bytes). */
      aggregated: { topic: string; maxMessageBytes: number };
    },
  ) {}

  /** The moments topic's records for a commit's analyses, with the positions the store gave. */
  momentRecords(
    analyses: readonly Analysis[],
    positions: readonly number[],
  ): {
    topic: string;
    records: OutgoingRecord[];
  } {
    return {
      topic: this.deps.aggregated.topic,
      records: withPositions(analyses, positions).flatMap((a) => this.fitting(a.streamerId, a.moments)),
    };
  }

  /**
   * Moments are published after their commit, so a worker that died (or failed to send)
   * in between left the last commit's moments stored but perhaps not published: whoever
   * takes the partition on publishes them again before going on (repeats are dropped by
   * consumers, by id or position).
   */
  async republish(control: BatchControl, lastCommitted: readonly Moment[]): Promise<void> {
    if (lastCommitted.length === 0) return;
    const byStreamer = new Map<string, Moment[]>();
    for (const m of lastCommitted) byStreamer.set(m.streamerId, [...(byStreamer.get(m.streamerId) ?? []), m]);
    await this.publish(control, [
      {
        topic: this.deps.aggregated.topic,
        records: [...byStreamer].flatMap(([streamerId, moments]) => this.fitting(streamerId, moments)),
      },
    ]);
  }

  /**
   * Sends records whose effects are committed already. One the broker refuses for good is
   * left out and logged, each other record sent alone: its moments are stored, and
   * gateways read a position they miss from PostgreSQL (docs/architecture.md → Resume: the moment log), so
   * refusing it again on every retry would only stall the partition. Any other error
   * throws: the batch's retry (or the partition's next owner) publishes them again. One by
   * one, it heartbeats, and stops once the partition is no longer this worker's (its next
   * owner publishes the last commit's moments again).
   */
  async publish(
    control: BatchControl,
    batches: { topic: string; records: OutgoingRecord[] }[],
  ): Promise<void> {
    try {
      await this.deps.producer.send(batches);
      return;
    } catch (err) {
      if (!isRecordRejected(err)) throw err;
    }
    for (const { topic, records } of batches) {
      for (const record of records) {
        if (!control.shouldContinue()) return;
        await control.heartbeat();
        try {
          await this.deps.producer.send([{ topic, records: [record] }]);
        } catch (err) {
          if (!isRecordRejected(err)) throw err;
          this.deps.log.error(
            { topic, key: record.key, bytes: recordBytes(record), err: errorMessage(err) },
            "the broker refused a record of committed moments or stats for good: left out (gateways read stored moments from PostgreSQL)",
          );
        }
      }
    }
  }

  private fitting(streamerId: string, moments: Moment[]): OutgoingRecord[] {
    return fittingRecords(streamerId, moments, this.deps.aggregated.maxMessageBytes);
  }
}

/** The analyses with each moment's position in the moment log (`positions`: all moments, in order). */
function withPositions(analyses: readonly Analysis[], positions: readonly number[]): Analysis[] {
  if (positions.length !== analyses.reduce((n, a) => n + a.moments.length, 0)) {
    throw new Error(`the store returned ${positions.length} positions for a different number of moments`);
  }
  let i = 0;
  return analyses.map((a) => ({
    streamerId: a.streamerId,
    moments: a.moments.map((m) => ({ ...m, position: positions[i++] })),
  }));
}
