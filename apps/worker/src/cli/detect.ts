import { createReadStream } from "node:fs";
import { once } from "node:events";
import { StringDecoder } from "node:string_decoder";
import { parseArgs } from "node:util";
import type { DetectorKind } from "../detectors/detector-types.ts";
import { createDetector, DETECTOR_KINDS, SettingsError } from "./detector-choice.ts";
import { detectLines } from "./detect-lines.ts";

const USAGE = "usage: npm run detect -- --input FILE.jsonl|- [--detector surge|threshold] [--settings JSON]";

/** A mistake in the command line: one readable line, then the usage. */
class UsageError extends Error {}

function options(): { input: string; detector: DetectorKind; settings: unknown } {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        input: { type: "string" },
        detector: { type: "string", default: "surge" },
        settings: { type: "string", default: "{}" },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.input === undefined) throw new UsageError("--input is required (a file, or - for stdin)");
  const detector = DETECTOR_KINDS.find((k) => k === values.detector);
  if (!detector) throw new UsageError(`--detector must be one of ${DETECTOR_KINDS.join(", ")}`);
  let settings: unknown;
  try {
    settings = JSON.parse(values.settings);
  } catch {
    throw new UsageError("--settings is not JSON");
  }
  return { input: values.input, detector, settings };
}

/** The input's lines, a chunk of lines per read (`\n` or `\r\n`; a last line without one too). */
async function* lineChunks(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of stream) {
    const lines = (rest + (typeof chunk === "string" ? chunk : decoder.write(chunk))).split("\n");
    rest = lines.pop() ?? "";
    yield lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  }
  rest += decoder.end();
  if (rest !== "") yield [rest.endsWith("\r") ? rest.slice(0, -1) : rest];
}

async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, "drain");
}

async function main(): Promise<void> {
  const { input, detector: kind, settings } = options();
  const detector = createDetector(kind, settings);
  const stream = input === "-" ? process.stdin : createReadStream(input);
  // A missing file surfaces here as one line, not as a stack from the line reader.
  const opened = input === "-" ? Promise.resolve() : once(stream, "open").then(() => undefined);
  await opened;
  const lines = lineChunks(stream);
  const log = (line: string): void => void process.stderr.write(`detect: ${line}\n`);
  const report = await detectLines(lines, detector, { write, log });
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
