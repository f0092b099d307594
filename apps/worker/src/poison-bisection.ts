import { isRecordRejected, type BatchControl, type IncomingRecord, type RecordBatch } from "@emote/bus";
import type { DlqReason } from "@emote/contracts";
import { errorMessage, type Logger } from "@emote/observability";
import type { Refusal } from "./dead-letter.ts";

/**
 * A record's effects failed in a way no retry mends and it could not be dead-lettered
 * either: the consumer stops for good (`retriable: false`), /readyz says so and the
 * process exits, instead of replaying the same failure forever.
 */
export class UnrecoverableBatchError extends Error {
  override readonly name = "UnrecoverableBatchError";
  readonly retriable = false;
}

/** What bisection needs of the processor. */
export interface Bisected {
  /**
   * One complete apply of the records (produce, store, commit); true when it applied
   * some. With `refused`, every record is dead-lettered for that reason instead.
   */
  apply(batch: RecordBatch, control: BatchControl, refused?: Refusal): Promise<boolean>;
  /** Forgets in-memory state: a failed try's effects are not stored. */
  reset(): void;
  isDataError(err: unknown): boolean;
  log: Logger;
}

/**
 * Applies the batch; when its effects fail in a way a retry repeats (the database
 * refused the data, the broker the records), finds the records responsible by halving
 * the batch, dead-letters each with the error, and applies the rest. Each half is a
 * complete apply, so what precedes a poison record is stored even if a later half fails.
 * Anything else (an outage, a rebalance) is thrown as before: the batch is replayed from
 * the stored checkpoint.
 */
export async function applyIsolating(
  to: Bisected,
  batch: RecordBatch,
  control: BatchControl,
): Promise<boolean> {
  try {
    return await to.apply(batch, control);
  } catch (err) {
    const reason = rejection(to, err);
    if (reason === undefined || !control.shouldContinue()) throw err;
    to.reset();
    const [only] = batch.records;
    if (batch.records.length === 1 && only)
      return deadLetterOne(to, batch, only, control, { reason, detail: errorMessage(err) });
    const mid = Math.ceil(batch.records.length / 2);
    const first = await applyIsolating(to, { ...batch, records: batch.records.slice(0, mid) }, control);
    const second = await applyIsolating(to, { ...batch, records: batch.records.slice(mid) }, control);
    return first || second;
  }
}

async function deadLetterOne(
  to: Bisected,
  batch: RecordBatch,
  record: IncomingRecord,
  control: BatchControl,
  refusal: Refusal,
): Promise<boolean> {
  const { topic, partition } = batch;
  to.log.warn(
    { topic, partition, offset: record.offset, reason: refusal.reason, err: refusal.detail },
    "record refused downstream: dead-lettered",
  );
  try {
    return await to.apply(batch, control, refusal);
  } catch (err) {
    if (rejection(to, err) === undefined) throw err;
    throw new UnrecoverableBatchError(
      `${topic}[${partition}] offset ${record.offset} can be neither applied nor dead-lettered: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** The DLQ reason for an error a retry would repeat; undefined for any other error. */
function rejection(to: Bisected, err: unknown): DlqReason | undefined {
  if (isRecordRejected(err)) return "produce_rejected";
  if (to.isDataError(err)) return "store_rejected";
  // JSON.stringify of the commit or a record (a cycle, a BigInt): never from parsed input.
  if (err instanceof TypeError) return "produce_rejected";
  return undefined;
}
