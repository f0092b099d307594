import { describe, expect, it } from "vitest";
import {
  CORRECTNESS_TARGETS,
  formatReport,
  judgeSubscriber,
  missedTargets,
  percentile,
  type RehearsalOutcome,
} from "./verdict.ts";

describe("judgeSubscriber", () => {
  it("finds nothing wrong with every position once, in order", () => {
    expect(judgeSubscriber([3, 5, 9], [3, 5, 9])).toEqual({
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      unexpected: 0,
    });
  });

  it("counts a missing position, a repeat, one out of order and one not in the log", () => {
    expect(judgeSubscriber([3, 5, 9, 12], [5, 3, 5, 9, 40])).toEqual({
      lost: 1, // 12
      duplicated: 1, // the second 5
      outOfOrder: 1, // 3 after 5
      unexpected: 1, // 40
    });
  });
});

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 99), percentile(values, 100)]).toEqual([50, 99, 100]);
    expect(percentile([], 99)).toBeUndefined();
  });
});

const clean: RehearsalOutcome = {
  subscribers: [
    { lost: 0, duplicated: 0, outOfOrder: 0, unexpected: 0 },
    { lost: 0, duplicated: 0, outOfOrder: 0, unexpected: 0 },
  ],
  reconnectsMs: [100, 400, 900],
  emotes: [{ phase: "rolling restart", sent: 1_000, acknowledged: 995, refused: 5, lost: 0 }],
  subscriptionErrors: 0,
};

describe("missedTargets", () => {
  it("passes a clean rehearsal", () => {
    expect(missedTargets(clean)).toEqual([]);
  });

  it("names every target missed", () => {
    const bad: RehearsalOutcome = {
      subscribers: [{ lost: 2, duplicated: 1, outOfOrder: 0, unexpected: 0 }],
      reconnectsMs: [100, 6_000],
      emotes: [{ phase: "blue-green", sent: 100, acknowledged: 97, refused: 3, lost: 1 }],
      subscriptionErrors: 1,
    };
    expect(missedTargets(bad)).toEqual([
      "moments lost: 2 (target 0)",
      "moments duplicated: 1 (target 0)",
      "subscriptions ended by an error: 1 (target 0)",
      "blue-green: 1 acknowledged emotes not on the raw topic (target 0)",
      "blue-green: 3.00 % of emotes refused (target ≤ 1 %)",
      "reconnect p99 6000 ms (target ≤ 5000 ms)",
    ]);
  });
});

describe("--correctness-only", () => {
  it("judges moments and acknowledged emotes, not refusals or reconnect times", () => {
    const slow: RehearsalOutcome = {
      ...clean,
      reconnectsMs: [100, 9_000],
      emotes: [{ phase: "rollback", sent: 100, acknowledged: 90, refused: 10, lost: 1 }],
    };
    expect(missedTargets(slow, CORRECTNESS_TARGETS)).toEqual([
      "rollback: 1 acknowledged emotes not on the raw topic (target 0)",
    ]);
  });
});

describe("the refusal target, per switch", () => {
  it("judges a settle phase with the switch it follows, and still catches a bad switch", () => {
    const outcome = (emotes: RehearsalOutcome["emotes"]): RehearsalOutcome => ({ ...clean, emotes });
    const tally = (phase: string, sent: number, refused: number) => ({
      phase,
      sent,
      acknowledged: sent - refused,
      refused,
      lost: 0,
    });
    // 3 of 188 after the rollback alone would be 1.6 %; with the rollback's 2,520 sends it is 0.33 %.
    expect(missedTargets(outcome([tally("rollback", 2_520, 6), tally("after rollback", 188, 3)]))).toEqual(
      [],
    );
    expect(
      missedTargets(
        outcome([tally("steady", 100, 0), tally("rollback", 500, 9), tally("after rollback", 100, 1)]),
      ),
    ).toEqual(["rollback and what followed: 1.67 % of emotes refused (target ≤ 1 %)"]);
  });
});

describe("formatReport", () => {
  it("prints the totals, the reconnect percentiles and a row per phase", () => {
    const text = formatReport(clean);
    expect(text).toContain("subscribers: 2; moments per subscriber — lost 0 in all (worst 0)");
    expect(text).toContain("reconnects: 3; p50 400 ms, p99 900 ms, max 900 ms");
    expect(text).toContain("| rolling restart | 1000 | 995 | 5 | 0.50 | 0 |");
  });
});
