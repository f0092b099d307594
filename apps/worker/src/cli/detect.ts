import { createReadStream } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import type { DetectorKind } from "../detectors/detector-types.ts";
import { createDetector, DETECTOR_KINDS, SettingsError } from "./detector-choice.ts";
import { detectLines } from "./detect-lines.ts";
import { TIME_UNITS, type TimeUnit } from "./emote-line.ts";

const USAGE =
  "usage: npm run detect -- --input FILE.jsonl|- [--detector surge|threshold] [--settings JSON] [--updates] [--time-unit auto|s|ms]";
const HELP = `${USAGE}

Runs a detector (default surge) over raw-emote-data values, one JSON object per line
(an optional "viewer" field stands for the record's viewer header), and prints each
moment as one JSON line on stdout: a surge once, complete, when it ends (with endedAt)
or when the input does (still open, without). Progress, bad lines (skipped and counted)
and a summary go to stderr. Offline, more is read than on the topics: timestamps from
1970 to 9999, also without an offset (UTC), with a space for the T, or as epoch seconds
or milliseconds; emotes as plain names (PogChamp); a viewer as a string or a whole number.
  --settings JSON  overrides the detector's defaults, e.g. '{"sensitivity":0.7}' for
                   surge or '{"interval":60}' for threshold
  --updates        print a surge at its onset, then again (same id, with endedAt) when it
                   ends, as the worker publishes it: for a live pipe (--input -)
  --time-unit U    what a timestamp given as a number counts: auto (default: seconds
                   below 1e11, milliseconds above), s or ms (milliseconds from a
                   stream's start are small numbers: auto would read them as seconds)
`;

const READ_CHUNK_BYTES = 1 << 18;

/** A mistake in the command line: one readable line, then the usage. */
class UsageError extends Error {}

interface Chosen {
  input: string;
  detector: DetectorKind;
  settings: unknown;
  updates: boolean;
  timeUnit: TimeUnit;
}

function options(): Chosen | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        help: { type: "boolean", short: "h" },
        input: { type: "string" },
        detector: { type: "string", default: "surge" },
        settings: { type: "string", default: "{}" },
        updates: { type: "boolean", default: false },
        "time-unit": { type: "string", default: "auto" },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return "help";
  if (values.input === undefined) throw new UsageError("--input is required (a file, or - for stdin)");
  const detector = DETECTOR_KINDS.find((k) => k === values.detector);
  if (!detector) throw new UsageError(`--detector must be one of ${DETECTOR_KINDS.join(", ")}`);
  const timeUnit = TIME_UNITS.find((u) => u === values["time-unit"]);
  if (!timeUnit) throw new UsageError(`--time-unit must be one of ${TIME_UNITS.join(", ")}`);
  let settings: unknown;
  try {
    settings = JSON.parse(values.settings);
  } catch {
    throw new UsageError("--settings is not JSON");
  }
  return { input: values.input, detector, settings, updates: values.updates, timeUnit };
}

async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, "drain");
}

async function main(): Promise<void> {
  const chosen = options();
  if (chosen === "help") {
    process.stdout.write(HELP);
    return;
  }
  const { input, detector: kind, settings, updates, timeUnit } = chosen;
  const detector = createDetector(kind, settings);
  // Large reads: the per-chunk work is then a small share of the per-line work.
  const stream = input === "-" ? process.stdin : createReadStream(input, { highWaterMark: READ_CHUNK_BYTES });
  // A missing file surfaces here as one line, not as a stack from the line reader.
  const opened = input === "-" ? Promise.resolve() : once(stream, "open").then(() => undefined);
  await opened;
  const log = (line: string): void => void process.stderr.write(`detect: ${line}\n`);
  const report = await detectLines(stream, detector, { write, log }, { updates, timeUnit });
  const perSecond = (report.lines / Math.max(report.elapsedMs, 1)) * 1000;
  const perCpuSecond = (report.lines / Math.max(report.cpuMs, 1)) * 1000;
  log(
    `${report.lines} lines, ${report.skipped} skipped, ${report.moments} moments (${kind}); ` +
      `${Math.round(perSecond)} emotes/s, ${Math.round(perCpuSecond)} emotes/CPU-s`,
  );
}

process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  // The reader went away (`| head`): nothing left to print to.
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const usage = error instanceof UsageError || error instanceof SettingsError ? `\n${USAGE}` : "";
  process.stderr.write(`detect: ${message}${usage}\n`);
  process.exitCode = 2;
});
