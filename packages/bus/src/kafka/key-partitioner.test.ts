import fc from "fast-check";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { keyPartitioner } from "./key-partitioner.ts";

const metadata = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

describe("keyPartitioner", () => {
  it("puts every key where kafkajs's DefaultPartitioner (the Java client's) puts it", () => {
    const ours = keyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 80 }),
        fc.integer({ min: 1, max: 200 }),
        (key, n) => {
          const args = { topic: "t", partitionMetadata: metadata(n), message: { key, value: "v" } };
          // Twice: the second answer comes from the remembered hash.
          expect(ours(args)).toBe(theirs(args));
          expect(ours(args)).toBe(theirs(args));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("leaves an explicit partition, a Buffer key and a keyless record to kafkajs", () => {
    const ours = keyPartitioner();
    const partitionMetadata = metadata(6);
    expect(ours({ topic: "t", partitionMetadata, message: { key: "k", value: "v", partition: 4 } })).toBe(4);
    const theirs = Partitioners.DefaultPartitioner();
    const buffer = { topic: "t", partitionMetadata, message: { key: Buffer.from("bench-s7"), value: "v" } };
    expect(ours(buffer)).toBe(theirs(buffer));
    const keyless = new Set(
      Array.from({ length: 12 }, () => ours({ topic: "t", partitionMetadata, message: { value: "v" } })),
    );
    // Round robin over the partitions, as kafkajs does.
    expect(keyless.size).toBe(6);
  });
});
