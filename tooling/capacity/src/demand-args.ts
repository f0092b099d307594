import { parseArgs } from "node:util";
import { z } from "zod";
import type { Demand } from "./plan.ts";

/** A mistake on the command line: one line on stderr, exit 2. */
export class UsageError extends Error {}

const count = (what: string, max: number) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be at least 1`)
    .max(max, `${what} must be at most ${max.toLocaleString("en-US")}`);
const positive = (what: string, max: number) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .positive(`${what} must be above 0`)
    .max(max, `${what} must be at most ${max}`);

/** Every flag: its schema, default and meaning (the --help text is made from these). */
export const FLAGS = {
  viewers: {
    schema: count("--viewers", 100_000_000),
    help: "concurrent viewers, one WebSocket each (required)",
  },
  streamers: { schema: count("--streamers", 10_000_000), help: "live streamers they watch (required)" },
  "emotes-per-viewer": {
    schema: positive("--emotes-per-viewer", 600).default(6),
    help: "emotes a viewer sends per minute on average (the per-viewer limit is 600)",
  },
  "peak-factor": {
    schema: positive("--peak-factor", 100).min(1, "--peak-factor must be at least 1").default(3),
    help: "peak emote rate ÷ average",
  },
  "moments-per-hour": {
    schema: positive("--moments-per-hour", 3600).default(12),
    help: "moments per streamer per hour, each sent to all of that streamer's viewers",
  },
  headroom: {
    schema: z.coerce
      .number({ error: "--headroom must be a number" })
      .min(0, "--headroom must be between 0 and 0.9")
      .max(0.9, "--headroom must be between 0 and 0.9")
      .default(0.2),
    help: "share of every unit left free at the peak",
  },
  "history-days": {
    schema: count("--history-days", 3650).default(30),
    help: "days of moment history kept in PostgreSQL",
  },
  "worker-cores": { schema: positive("--worker-cores", 64).default(1), help: "CPU cores per worker pod" },
  "gateway-cores": { schema: positive("--gateway-cores", 64).default(1), help: "CPU cores per gateway pod" },
  "broker-cores": { schema: positive("--broker-cores", 128).default(4), help: "CPU cores per Kafka broker" },
} as const;

const schema = z
  .object(
    Object.fromEntries(Object.entries(FLAGS).map(([k, f]) => [k, f.schema])) as {
      [K in keyof typeof FLAGS]: (typeof FLAGS)[K]["schema"];
    },
  )
  .refine((v) => v.streamers <= v.viewers, {
    message: "--streamers must not exceed --viewers",
    path: ["streamers"],
  });

/** `argv` (after the script name) as a Demand; `json` asks for the plan as JSON. */
export function parseDemand(argv: string[], rawRetentionHours: number): { demand: Demand; json: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: "string" as const }])),
        json: { type: "boolean" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  for (const required of ["viewers", "streamers"])
    if (values[required] === undefined)
      throw new UsageError(`--${required} is required (--help lists every flag)`);
  const { json, ...flags } = values;
  const parsed = schema.safeParse(flags);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join("; "));
  const v = parsed.data;
  return {
    json: json === true,
    demand: {
      viewers: v.viewers,
      streamers: v.streamers,
      emotesPerViewerPerMinute: v["emotes-per-viewer"],
      peakFactor: v["peak-factor"],
      momentsPerStreamerPerHour: v["moments-per-hour"],
      headroom: v.headroom,
      historyDays: v["history-days"],
      rawRetentionHours,
      workerCores: v["worker-cores"],
      gatewayCores: v["gateway-cores"],
      brokerCores: v["broker-cores"],
    },
  };
}
