import { describe, expect, it } from "vitest";
import { withDeadline } from "./deadline.ts";

describe("withDeadline", () => {
  it("gives the work's result or error when it settles in time", async () => {
    expect(await withDeadline(Promise.resolve(42), 1_000, "late")).toBe(42);
    await expect(withDeadline(Promise.reject(new Error("refused")), 1_000, "late")).rejects.toThrow(
      "refused",
    );
  });

  it("rejects with the message once the time is up", async () => {
    const started = performance.now();
    await expect(withDeadline(new Promise(() => undefined), 50, "no answer within 50 ms")).rejects.toThrow(
      "no answer within 50 ms",
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
