import { describe, expect, it } from "vitest";
import { replyTo } from "./ts-worker.ts";

describe("replyTo", () => {
  it("answers a call with its result, or with the name and message of what it threw", () => {
    expect(replyTo(1, () => 42)).toEqual({ id: 1, result: 42 });
    expect(
      replyTo(2, () => {
        throw new TypeError("x is undefined");
      }),
    ).toEqual({ id: 2, error: { name: "TypeError", message: "x is undefined" } });
    expect(
      replyTo(3, () => {
        throw "a string";
      }),
    ).toEqual({ id: 3, error: { name: "Error", message: "a string" } });
  });
});
