import { describe, expect, it } from "vitest";
import { parseDemand, UsageError } from "./demand-args.ts";

describe("parseDemand", () => {
  it("reads the required counts and fills the defaults", () => {
    const { demand, json } = parseDemand(["--viewers", "1000000", "--streamers", "20000"], 24);
    expect(json).toBe(false);
    expect(demand).toEqual({
      viewers: 1_000_000,
      streamers: 20_000,
      emotesPerViewerPerMinute: 6,
      peakFactor: 3,
      momentsPerStreamerPerHour: 12,
      headroom: 0.2,
      historyDays: 30,
      rawRetentionHours: 24,
      workerCores: 1,
      gatewayCores: 1,
      brokerCores: 4,
    });
  });

  it("takes every option and --json", () => {
    const { demand, json } = parseDemand(
      ["--viewers=500", "--streamers=5", "--peak-factor=2", "--headroom=0", "--gateway-cores=2", "--json"],
      24,
    );
    expect(json).toBe(true);
    expect(demand).toMatchObject({ viewers: 500, streamers: 5, peakFactor: 2, headroom: 0, gatewayCores: 2 });
  });

  it.each([
    [["--streamers", "1"], "--viewers is required (--help lists every flag)"],
    [["--viewers", "abc", "--streamers", "1"], "--viewers must be a number"],
    [["--viewers", "1.5", "--streamers", "1"], "--viewers must be a whole number"],
    [["--viewers", "0", "--streamers", "1"], "--viewers must be at least 1"],
    [["--viewers", "10", "--streamers", "20"], "--streamers must not exceed --viewers"],
    [["--viewers", "10", "--streamers", "1", "--headroom", "1"], "--headroom must be between 0 and 0.9"],
    [["--viewers", "10", "--streamers", "1", "--peak-factor", "0.5"], "--peak-factor must be at least 1"],
    [["--viewers", "10", "--streamers", "1", "--viewrs", "3"], "Unknown option '--viewrs'"],
  ])("refuses %j with one clear line", (argv, message) => {
    const run = () => parseDemand(argv, 24);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(message);
  });
});
