import { parseArgs } from "node:util";
import { z } from "zod";
import { DEFAULT_EMOTES, emoteSchema } from "@emote/contracts";
import { TOPICS } from "@emote/bus";
import { envHelp } from "@emote/config";
import { serviceEnvSchema } from "./env.ts";

/** A bad flag or variable: main prints the message as one line and exits 2. */
export class OptionsError extends Error {
  override name = "OptionsError";
}

const number = z.number({ error: "must be a number" });
const fromText = z.string().trim().min(1, "must not be empty").transform(Number);

const wholeNumber = (min: number, max: number) =>
  fromText.pipe(
    number
      .int("must be a whole number")
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );

const emoteList = z
  .string()
  .transform((text) =>
    text
      .split(",")
      .map((e) => e.trim())
      .filter((e) => e.length > 0),
  )
  .pipe(
    z
      // What the worker would dead-letter is refused here (contracts: what an emote is).
      .array(emoteSchema)
      .min(1, "must list at least one emote")
      .refine((list) => new Set(list).size === list.length, "must not list an emote twice"),
  );

const flag = z
  .enum(["true", "1", "yes", "false", "0", "no"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const optionsSchema = z.object({
  streamers: wholeNumber(1, 100_000).default(1),
  rate: fromText.pipe(number.gt(0, "must be greater than 0").max(10_000, "must be at most 10000")).default(1),
  emotes: emoteList.default([...DEFAULT_EMOTES]),
  viewers: wholeNumber(0, 1_000_000).default(0),
  seed: wholeNumber(0, 4_294_967_295).optional(),
  start: z.iso
    .datetime({ offset: true, error: "must be an ISO-8601 date-time such as 2025-01-15T10:20:30Z" })
    .transform((iso) => Date.parse(iso))
    .optional(),
  count: wholeNumber(1, Number.MAX_SAFE_INTEGER).optional(),
  surging: fromText.pipe(number.min(0, "must be at least 0").max(1, "must be at most 1")).optional(),
  max: flag.default(false),
  replay: z.string().min(1, "must name a file").optional(),
  topic: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, "must be a Kafka topic name (letters, digits, '.', '_', '-')")
    .optional(),
});

export type GeneratorOptions = z.output<typeof optionsSchema>;
type Key = keyof GeneratorOptions;

interface OptionSpec {
  env: string;
  /** Placeholder for the value; absent for switches. */
  value?: string;
  help: string;
  defaultText: string;
}

const SPECS: Record<Key, OptionSpec> = {
  streamers: {
    env: "GENERATOR_STREAMERS",
    value: "N",
    help: "number of streamers: 1 is `default`, more are s1…sN",
    defaultText: "1",
  },
  rate: {
    env: "GENERATOR_RATE",
    value: "R",
    help: "ticks per second per streamer (0.5 = one every 2 s)",
    defaultText: "1",
  },
  emotes: {
    env: "GENERATOR_EMOTES",
    value: "LIST",
    help: "comma-separated emotes to pick from",
    defaultText: DEFAULT_EMOTES.join(","),
  },
  viewers: {
    env: "GENERATOR_VIEWERS",
    value: "N",
    help: "simulated viewers per streamer: each emote gets a `viewer` header, and about every 90 s a crowd of them reacts with one emote for 8–20 s (a surge); 0: neither",
    defaultText: "0",
  },
  seed: {
    env: "GENERATOR_SEED",
    value: "N",
    help: "PRNG seed (0…4294967295) for a reproducible stream",
    defaultText: "random, printed at start",
  },
  start: {
    env: "GENERATOR_START",
    value: "ISO",
    help: "virtual clock at the first tick; with --replay, shifts the recording to start here",
    defaultText: "now; replay: as recorded",
  },
  count: {
    env: "GENERATOR_COUNT",
    value: "N",
    help: "stop after N emotes",
    defaultText: "endless; replay: whole file",
  },
  surging: {
    env: "GENERATOR_SURGING",
    value: "SHARE",
    help: "share of the streamers (0…1) that surge on one emote for 20 s of every 2 min (the Platform page)",
    defaultText: "0: no surges",
  },
  max: {
    env: "GENERATOR_MAX",
    help: "send as fast as the broker takes it (batched), not paced by the clock",
    defaultText: "off: real time",
  },
  replay: {
    env: "GENERATOR_REPLAY",
    value: "FILE",
    help: "replay a JSONL recording, one {emote, timestamp, streamerId?} per line",
    defaultText: "off",
  },
  topic: {
    env: "GENERATOR_TOPIC",
    value: "NAME",
    help: "topic to produce to (created if missing)",
    defaultText: `${TOPICS.raw}, after KAFKA_TOPIC_PREFIX`,
  },
};

const KEYS = Object.keys(SPECS) as Key[];

/** Options that shape a generated stream; a replay takes all of that from its file. */
const GENERATED_ONLY: Key[] = ["streamers", "rate", "emotes", "viewers", "seed", "surging"];

export type Cli = { kind: "help"; text: string } | { kind: "run"; options: GeneratorOptions };

/**
 * Reads options from the GENERATOR_* variables and the flags (flags win) and validates
 * them. Every failure is an OptionsError naming the flag or variable at fault.
 */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Cli {
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "help", text: helpText() };

  const raw: Partial<Record<Key, string>> = {};
  const source: Partial<Record<Key, string>> = {};
  for (const key of KEYS) {
    const value = env[SPECS[key].env];
    if (value !== undefined && value !== "") {
      raw[key] = value;
      source[key] = SPECS[key].env;
    }
  }
  for (const [key, value] of readFlags(argv)) {
    raw[key] = value;
    source[key] = `--${key}`;
  }

  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0] as Key;
    throw new OptionsError(
      `${source[key] ?? `--${key}`}: ${issue?.message ?? "invalid"} (got "${raw[key] ?? ""}")`,
    );
  }
  if (parsed.data.replay !== undefined) {
    const clash = GENERATED_ONLY.find((key) => raw[key] !== undefined);
    if (clash) {
      throw new OptionsError(
        `${source[clash]} cannot be combined with ${source.replay}: a replay takes its emotes from the file`,
      );
    }
  }
  return { kind: "run", options: parsed.data };
}

function isKey(name: string): name is Key {
  return Object.hasOwn(SPECS, name);
}

/** For node:util's parseArgs: each option takes a value, except the switches. */
const PARSE_OPTIONS = Object.fromEntries(
  KEYS.map((key) => [key, { type: SPECS[key].value === undefined ? "boolean" : "string" }] as const),
);

/**
 * `--name value`, `--name=value` and bare switches, read by parseArgs (not strict, so that
 * each mistake gets our own message); anything else is an OptionsError.
 */
function readFlags(argv: readonly string[]): [Key, string][] {
  const { tokens } = parseArgs({
    args: [...argv],
    options: PARSE_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const out: [Key, string][] = [];
  for (const token of tokens) {
    if (token.kind === "option-terminator") throw new OptionsError(`unexpected argument "--" (see --help)`);
    if (token.kind === "positional" || !token.rawName.startsWith("--")) {
      const arg = token.kind === "positional" ? token.value : token.rawName;
      throw new OptionsError(`unexpected argument "${arg}" (see --help)`);
    }
    const { name } = token;
    if (!isKey(name)) throw new OptionsError(`unknown option --${name} (see --help)`);
    const spec = SPECS[name];
    if (spec.value === undefined) {
      if (token.value !== undefined) throw new OptionsError(`--${name} takes no value`);
      out.push([name, "true"]);
      continue;
    }
    // A following flag is not a value: `--count --max` is a missing count.
    const value = token.inlineValue || !token.value?.startsWith("--") ? token.value : undefined;
    if (value === undefined) throw new OptionsError(`--${name} needs a value: --${name} ${spec.value}`);
    out.push([name, value]);
  }
  return out;
}

/** Every option as --help shows it, for docs/configuration.md. */
export function optionReference(): { flag: string; env: string; defaultText: string; help: string }[] {
  return KEYS.map((key) => {
    const spec = SPECS[key];
    return { flag: `--${key}${spec.value ? ` ${spec.value}` : ""}`, ...spec };
  });
}

export function helpText(): string {
  const rows = KEYS.map((key) => {
    const spec = SPECS[key];
    return { left: `--${key}${spec.value ? ` ${spec.value}` : ""}`, spec };
  });
  const width = Math.max(...rows.map((r) => r.left.length), "-h, --help".length) + 2;
  const lines = rows.map(
    ({ left, spec }) =>
      `  ${left.padEnd(width)}${spec.help}\n  ${"".padEnd(width)}default: ${spec.defaultText}; env ${spec.env}`,
  );
  return [
    "Usage: emote-generator [options]",
    "",
    `Simulates viewers' emotes and produces them to Kafka as JSON {emote, timestamp, streamerId, id},`,
    "keyed by streamerId. Each tick, every streamer sends one random emote (80% of ticks) or a",
    "burst of 3–10 of it with the same timestamp (20%). Tick k is stamped start + k/rate seconds,",
    "so --seed with --start gives the same messages every run.",
    "",
    "Options (flags win over the environment):",
    ...lines,
    `  ${"-h, --help".padEnd(width)}show this help`,
    "",
    "Each record carries a W3C `traceparent` header (a replayed line's own `traceparent`, when",
    "valid, is kept as its parent).",
    "",
    envHelp(serviceEnvSchema),
    "",
    "Stops on SIGINT/SIGTERM after sending what is pending (the same signal again exits at once).",
    "Exit codes: 0 done or stopped, 1 Kafka unreachable, a send failed, METRICS_PORT in use or",
    "pending emotes abandoned at shutdown, 2 bad option.",
  ].join("\n");
}
