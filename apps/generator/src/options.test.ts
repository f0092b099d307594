import { describe, expect, it } from "vitest";
import { DEFAULT_EMOTES } from "@emote/contracts";
import { helpText, OptionsError, parseCli, type GeneratorOptions } from "./options.ts";

function options(argv: string[], env: Record<string, string> = {}): GeneratorOptions {
  const cli = parseCli(argv, env);
  if (cli.kind !== "run") throw new Error("expected options, got help");
  return cli.options;
}

function failure(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCli(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError);
    return (err as Error).message;
  }
  throw new Error("expected an OptionsError");
}

describe("parseCli", () => {
  it("defaults to the original system: one streamer, one tick a second, the eight emotes, real time", () => {
    expect(options([])).toEqual({
      streamers: 1,
      rate: 1,
      emotes: [...DEFAULT_EMOTES],
      viewers: 0,
      max: false,
    });
  });

  it("reads every flag, in both --name value and --name=value forms", () => {
    expect(
      options([
        "--streamers",
        "100",
        "--rate=2.5",
        "--emotes",
        "🔥, 👍,😀",
        "--viewers",
        "200",
        "--seed",
        "42",
        "--start",
        "2025-01-15T10:20:30+02:00",
        "--count=1000000",
        "--max",
        "--topic",
        "bench.raw",
      ]),
    ).toEqual({
      streamers: 100,
      rate: 2.5,
      emotes: ["🔥", "👍", "😀"],
      viewers: 200,
      seed: 42,
      start: Date.UTC(2025, 0, 15, 8, 20, 30),
      count: 1_000_000,
      max: true,
      topic: "bench.raw",
    });
    expect(options(["--replay", "chat.jsonl", "--count", "5"])).toMatchObject({
      replay: "chat.jsonl",
      count: 5,
    });
  });

  it("reads GENERATOR_* variables, and flags win over them", () => {
    const env = {
      GENERATOR_STREAMERS: "3",
      GENERATOR_RATE: "10",
      GENERATOR_MAX: "true",
      GENERATOR_SEED: "5",
    };
    expect(options([], env)).toMatchObject({ streamers: 3, rate: 10, max: true, seed: 5 });
    expect(options(["--streamers", "7"], env)).toMatchObject({ streamers: 7, rate: 10 });
    expect(options([], { GENERATOR_MAX: "0", GENERATOR_COUNT: "" })).toEqual(options([]));
  });

  it.each([
    [["--streamers", "0"], '--streamers: must be at least 1 (got "0")'],
    [["--streamers", "1.5"], '--streamers: must be a whole number (got "1.5")'],
    [["--streamers", "lots"], '--streamers: must be a number (got "lots")'],
    [["--rate", "0"], '--rate: must be greater than 0 (got "0")'],
    [["--rate", "-1"], '--rate: must be greater than 0 (got "-1")'],
    [["--rate="], '--rate: must not be empty (got "")'],
    [["--seed", "-3"], '--seed: must be at least 0 (got "-3")'],
    [["--count", "0"], '--count: must be at least 1 (got "0")'],
    [
      ["--start", "yesterday"],
      '--start: must be an ISO-8601 date-time such as 2025-01-15T10:20:30Z (got "yesterday")',
    ],
    [["--emotes", " , "], '--emotes: must list at least one emote (got " , ")'],
    [["--emotes", "🔥,🔥"], '--emotes: must not list an emote twice (got "🔥,🔥")'],
    [
      ["--emotes", "🔥,hello world"],
      '--emotes: An emote is one emoji (such as 🔥) or a named emote written :name: (letters, digits, _ + -, up to 32) (got "🔥,hello world")',
    ],
    [
      ["--topic", "a topic"],
      `--topic: must be a Kafka topic name (letters, digits, '.', '_', '-') (got "a topic")`,
    ],
    [["--bogus"], "unknown option --bogus (see --help)"],
    [["--count"], "--count needs a value: --count N"],
    [["--count", "--max"], "--count needs a value: --count N"],
    [["--max=yes"], "--max takes no value"],
    [["100"], 'unexpected argument "100" (see --help)'],
    [
      ["--replay", "x.jsonl", "--streamers", "3"],
      "--streamers cannot be combined with --replay: a replay takes its emotes from the file",
    ],
  ])("rejects %j with a message naming the flag", (argv, message) => {
    expect(failure(argv)).toBe(message);
  });

  it("names the variable when the bad value came from the environment", () => {
    expect(failure([], { GENERATOR_RATE: "fast" })).toBe('GENERATOR_RATE: must be a number (got "fast")');
    expect(failure([], { GENERATOR_MAX: "maybe" })).toBe(
      'GENERATOR_MAX: must be true or false (got "maybe")',
    );
    expect(failure(["--replay", "x.jsonl"], { GENERATOR_SEED: "1" })).toBe(
      "GENERATOR_SEED cannot be combined with --replay: a replay takes its emotes from the file",
    );
  });

  it("answers --help and -h with the options, their defaults and variables, before validating", () => {
    expect(parseCli(["--rate", "0", "--help"], {})).toEqual({ kind: "help", text: helpText() });
    expect(parseCli(["-h"], {}).kind).toBe("help");
    const text = helpText();
    for (const flag of [
      "--streamers N",
      "--rate R",
      "--emotes LIST",
      "--seed N",
      "--start ISO",
      "--count N",
      "--max",
      "--replay FILE",
      "--topic NAME",
    ]) {
      expect(text).toContain(flag);
    }
    expect(text).toContain("default: 1; env GENERATOR_STREAMERS");
    expect(text).toContain(`default: ${DEFAULT_EMOTES.join(",")}; env GENERATOR_EMOTES`);
    for (const variable of [
      "LOG_LEVEL",
      "LOG_FORMAT",
      "METRICS_PORT (default: 9465)",
      "METRICS_HOST",
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "GENERATOR_SHUTDOWN_TIMEOUT_MS (default: 10000)",
    ]) {
      expect(text).toContain(variable);
    }
  });
});
