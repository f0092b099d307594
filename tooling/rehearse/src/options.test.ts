import { describe, expect, it } from "vitest";
import { readOptions } from "./options.ts";

describe("readOptions", () => {
  it("has a full size and a quick one for CI", () => {
    expect(readOptions([])).toMatchObject({ quick: false, subscribers: 2_000, viewers: 100, streamers: 8 });
    expect(readOptions(["--quick"])).toMatchObject({
      quick: true,
      subscribers: 200,
      viewers: 20,
      streamers: 4,
    });
    expect(readOptions(["--quick", "--subscribers", "50"]).subscribers).toBe(50);
    expect(readOptions(["--correctness-only", "--quick"])).toMatchObject({
      quick: true,
      correctnessOnly: true,
    });
    expect(readOptions(["--quick"]).correctnessOnly).toBe(false);
  });

  it("refuses an unknown option and a bad number with one line", () => {
    expect(() => readOptions(["--fast"])).toThrow("unknown option --fast (see --help)");
    expect(() => readOptions(["--viewers", "0"])).toThrow("--viewers wants an integer ≥ 1");
  });
});
