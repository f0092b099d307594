import type { IncomingRecord } from "@emote/bus";

/**
 * The part of a batch not yet applied: after a crash a partition is replayed from the
 * group's committed offset, which may lag the stored checkpoint (the next offset to
 * apply). Offsets only grow within a batch, so what is skipped is a prefix.
 */
export function skipApplied(
  records: IncomingRecord[],
  checkpoint: bigint | null,
): { records: IncomingRecord[]; skipped: number } {
  const first = records[0];
  if (checkpoint === null || first === undefined || BigInt(first.offset) >= checkpoint) {
    return { records, skipped: 0 };
  }
  const applied = records.findIndex((r) => BigInt(r.offset) >= checkpoint);
  const skipped = applied < 0 ? records.length : applied;
  return { records: records.slice(skipped), skipped };
}
