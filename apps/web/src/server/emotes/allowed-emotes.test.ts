import { describe, expect, it } from "vitest";
import { AllowedEmotes } from "./allowed-emotes.ts";

describe("AllowedEmotes", () => {
  it("reads a streamer once for concurrent callers and again after the ttl, answering the old set meanwhile", async () => {
    let reads = 0;
    let current = ["🔥"];
    const allowed = new AllowedEmotes(async () => {
      reads++;
      return current;
    }, 30);
    expect(await Promise.all([allowed.of("s1"), allowed.of("s1"), allowed.of("s1")])).toEqual([
      ["🔥"],
      ["🔥"],
      ["🔥"],
    ]);
    expect(reads).toBe(1);
    expect(allowed.of("s1")).toEqual(["🔥"]);
    current = ["😀"];
    await new Promise((r) => setTimeout(r, 40));
    // Stale: answered at once from the old set while the reload runs.
    expect(allowed.of("s1")).toEqual(["🔥"]);
    const now = () => {
      const answer = allowed.of("s1");
      return Array.isArray(answer) ? answer[0] : undefined;
    };
    while (now() !== "😀") await new Promise((r) => setTimeout(r, 1));
    expect(allowed.of("s1")).toEqual(["😀"]);
    expect(reads).toBe(2);
  });

  it("a failed first read rejects its callers and is tried again at the next call", async () => {
    let fail = true;
    const allowed = new AllowedEmotes(async () => {
      if (fail) throw new Error("database away");
      return ["🔥"];
    }, 1_000);
    await expect(allowed.of("s1")).rejects.toThrow("database away");
    fail = false;
    expect(await allowed.of("s1")).toEqual(["🔥"]);
  });

  it("remembers a streamer that does not exist for the ttl: a flood of reactions to it costs one read", async () => {
    let reads = 0;
    const allowed = new AllowedEmotes(async () => {
      reads++;
      return null;
    }, 1_000);
    expect(await allowed.of("nobody")).toBeNull();
    for (let i = 0; i < 1_000; i++) expect(allowed.of("nobody")).toBeNull();
    expect(reads).toBe(1);
  });
});
