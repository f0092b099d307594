import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { recordBytes, type IncomingRecord } from "@emote/bus";
import { DLQ_HEADERS, deadLetter, UndeliverableDeadLetterError } from "./dead-letter.ts";

const source = { topic: "raw-emote-data", partition: 2 };
const refusal = { reason: "too_large", detail: "message is 1048000 bytes, over the 65536 limit" } as const;
const LIMIT = 1_048_588;
/** What the Kafka adapter adds per record batch and record (see kafka-bus.ts). */
const FRAMING = 1_024 + 64;

function incoming(value: Buffer | null, headers: IncomingRecord["headers"] = {}): IncomingRecord {
  return { key: Buffer.from("s1"), value, headers, offset: "41" };
}

describe("deadLetter", () => {
  it("keeps a record that fits as it is, beside the DLQ's headers", () => {
    const value = Buffer.from("{nope");
    const copy = deadLetter(incoming(value, { traceparent: "tp" }), source, refusal, LIMIT);
    expect(copy.value).toEqual(value);
    expect(copy.headers).toEqual({
      traceparent: "tp",
      [DLQ_HEADERS.reason]: "too_large",
      [DLQ_HEADERS.error]: refusal.detail,
      [DLQ_HEADERS.sourceTopic]: "raw-emote-data",
      [DLQ_HEADERS.sourcePartition]: "2",
      [DLQ_HEADERS.sourceOffset]: "41",
      [DLQ_HEADERS.originalSize]: "5",
      [DLQ_HEADERS.sha256]: createHash("sha256").update(value).digest("hex"),
    });
  });

  it("cuts a 1,048,000-byte value to fit the DLQ topic's limit, flagged, with its original size and sha256", () => {
    const value = Buffer.alloc(1_048_000, 0x61);
    const copy = deadLetter(incoming(value), source, refusal, LIMIT);
    expect(recordBytes(copy) + FRAMING).toBeLessThanOrEqual(LIMIT);
    expect(copy.headers?.[DLQ_HEADERS.truncated]).toBe("value");
    expect(copy.headers?.[DLQ_HEADERS.originalSize]).toBe("1048000");
    expect(copy.headers?.[DLQ_HEADERS.sha256]).toBe(createHash("sha256").update(value).digest("hex"));
    // Buffer.equals: vitest's deep equality walks a megabyte byte by byte.
    expect(value.subarray(0, (copy.value as Buffer).length).equals(copy.value as Buffer)).toBe(true);
    expect((copy.value as Buffer).length).toBeGreaterThan(1_040_000);
  });

  it("drops original headers that do not fit (a 100 KB traceparent) before cutting the value", () => {
    const copy = deadLetter(
      incoming(Buffer.from("{}"), { traceparent: "x".repeat(100_000) }),
      source,
      refusal,
      64 * 1024,
    );
    expect(copy.headers?.traceparent).toBeUndefined();
    expect(copy.headers?.[DLQ_HEADERS.truncated]).toBe("headers");
    expect(String(copy.value)).toBe("{}");
  });

  it("keeps a tombstone as an empty value", () => {
    const copy = deadLetter(incoming(null), source, { reason: "empty", detail: "empty message" }, LIMIT);
    expect(copy.value).toEqual(Buffer.alloc(0));
    expect(copy.headers?.[DLQ_HEADERS.originalSize]).toBe("0");
  });

  it("refuses for good a limit too small for the DLQ's own headers", () => {
    expect(() => deadLetter(incoming(Buffer.from("{}")), source, refusal, 1_200)).toThrow(
      UndeliverableDeadLetterError,
    );
  });
});
