import { describe, expect, it } from "vitest";
import { emoteSendNotTaken, emoteSendRetry } from "./emote-send-retry.ts";

const send = { path: "emotes.send", type: "mutation" };

describe("emoteSendNotTaken", () => {
  it("is true for a call that never left the client or whose socket a draining gateway closed with 1012", () => {
    expect(emoteSendNotTaken({ message: "Active connection is not open" })).toBe(true);
    expect(emoteSendNotTaken({ message: "Closed before connection was established" })).toBe(true);
    expect(
      emoteSendNotTaken({ message: "Unknown error", cause: { code: 1012, reason: "service restart" } }),
    ).toBe(true);
  });

  it("is false for any answer of the server and for a socket that dropped otherwise", () => {
    expect(emoteSendNotTaken({ message: "Kafka is away", data: { code: "SERVICE_UNAVAILABLE" } })).toBe(
      false,
    );
    expect(emoteSendNotTaken({ message: "Unknown error", cause: { code: 1006 } })).toBe(false);
    expect(emoteSendNotTaken({ message: "Unknown error", cause: { code: 1005 } })).toBe(false);
    expect(emoteSendNotTaken({ message: "fetch failed" })).toBe(false);
  });
});

describe("emoteSendRetry", () => {
  const notTaken = { message: "Active connection is not open" };

  it("sends emotes.send again up to five times, nothing else", () => {
    expect(emoteSendRetry.retry({ op: send, attempts: 1, error: notTaken })).toBe(true);
    expect(emoteSendRetry.retry({ op: send, attempts: 5, error: notTaken })).toBe(true);
    expect(emoteSendRetry.retry({ op: send, attempts: 6, error: notTaken })).toBe(false);
    expect(
      emoteSendRetry.retry({
        op: { path: "settings.update", type: "mutation" },
        attempts: 1,
        error: notTaken,
      }),
    ).toBe(false);
    expect(
      emoteSendRetry.retry({
        op: { path: "moments.live", type: "subscription" },
        attempts: 1,
        error: notTaken,
      }),
    ).toBe(false);
  });

  it("waits a jittered pause below a window that doubles from 250 ms to 2 s", () => {
    for (let i = 0; i < 200; i++) {
      expect(emoteSendRetry.retryDelayMs(1)).toBeLessThan(250);
      expect(emoteSendRetry.retryDelayMs(5)).toBeLessThan(2_000);
    }
  });
});
