import { describe, expect, it } from "vitest";
import { lastInLog } from "./resume-point.ts";

describe("lastInLog", () => {
  it("is the moment with the highest log position, not the first of the history page", () => {
    const page = [
      { id: "z", position: 40 },
      { id: "a", position: 56 },
      { id: "m", position: 39 },
    ];
    expect(lastInLog(page)?.id).toBe("a");
  });

  it("is the first moment when none has a position, and nothing for an empty page", () => {
    expect(lastInLog([{ id: "x" }, { id: "y" }])?.id).toBe("x");
    expect(lastInLog([])).toBeUndefined();
  });
});
