import { describe, expect, it } from "vitest";
import { randomClusterId } from "./kafka-local.ts";

describe("randomClusterId", () => {
  it("is 22 characters of URL-safe base64 and never starts with '-' (the storage tool would read an option)", () => {
    const ids = Array.from({ length: 5_000 }, () => randomClusterId());
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
