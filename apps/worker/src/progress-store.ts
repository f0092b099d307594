import type { Moment } from "@emote/contracts";
import type { AnalysisCommit, StreamerProgress } from "@emote/db";

/** Durable progress, kept in the same store as the moments. */
export interface ProgressStore {
  loadCheckpoint(topic: string, partition: number): Promise<bigint | null>;
  /** Drops the checkpoint `nextOffset` of an earlier log of the topic (it was recreated). */
  dropEarlierLogCheckpoint(topic: string, partition: number, nextOffset: bigint): Promise<void>;
  /** The moments the partition's last commit stored (with positions): perhaps never published. */
  loadLastCommitted(topic: string, partition: number): Promise<Moment[]>;
  loadStreamers(streamerIds: string[]): Promise<StreamerProgress[]>;
  /** Returns the moments' positions in the moment log, in the order of `c.moments`. */
  commit(c: Omit<AnalysisCommit, "groupId">): Promise<number[]>;
  /** True when `err` says the store could not be reached: the same call may succeed later. */
  isUnavailable(err: unknown): boolean;
  /** True when `err` says the store refused the data itself: the same call fails again. */
  isDataError(err: unknown): boolean;
}
