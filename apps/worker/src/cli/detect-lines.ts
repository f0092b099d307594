import type { DetectedMoment, StreamDetector } from "../detectors/detector-types.ts";
import { timestampWindow } from "@emote/contracts";
import { parseEmoteLine } from "./emote-line.ts";

/** Bad lines reported one by one; the rest are only counted. */
const REPORTED_ERRORS_MAX = 10;
/** Output is written in chunks of about this many characters. */
const CHUNK_CHARS = 64 * 1024;
const PROGRESS_EVERY_LINES = 1_000_000;

export interface DetectReport {
  lines: number;
  skipped: number;
  moments: number;
  elapsedMs: number;
  /** CPU time of this process meanwhile: on a shared machine, the honest cost. */
  cpuMs: number;
}

export interface DetectIo {
  /** Receives moments as JSON lines, in chunks; may wait (backpressure). */
  write(text: string): void | Promise<void>;
  /** Progress and bad lines, one line each. */
  log(line: string): void;
}

/**
 * The `detect` path, shared by the CLI and the evaluation: every line parsed, each
 * record given to the detector in input order, each moment printed as one JSON line.
 * A bad line is skipped and counted; blank lines are ignored.
 */
export async function detectLines(
  chunks: AsyncIterable<readonly string[]> | Iterable<readonly string[]>,
  detector: StreamDetector,
  io: DetectIo,
): Promise<DetectReport> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const window = timestampWindow();
  const report: DetectReport = { lines: 0, skipped: 0, moments: 0, elapsedMs: 0, cpuMs: 0 };
  let pending = "";
  // Lines come in chunks: one await per chunk, not per line.
  for await (const lines of chunks) {
    for (const line of lines) {
      report.lines++;
      if (report.lines % PROGRESS_EVERY_LINES === 0)
        io.log(`${report.lines.toLocaleString("en-US")} lines read`);
      if (line.trim() === "") continue;
      const parsed = parseEmoteLine(line, window);
      if (!parsed.ok) {
        report.skipped++;
        if (report.skipped <= REPORTED_ERRORS_MAX) io.log(`line ${report.lines} skipped: ${parsed.error}`);
        continue;
      }
      const moments: readonly DetectedMoment[] = detector.push(parsed.record);
      for (const m of moments) pending += `${JSON.stringify(m)}\n`;
      report.moments += moments.length;
    }
    if (pending.length >= CHUNK_CHARS) {
      await io.write(pending);
      pending = "";
    }
  }
  if (pending !== "") await io.write(pending);
  report.elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  report.cpuMs = (cpu.user + cpu.system) / 1000;
  if (report.skipped > REPORTED_ERRORS_MAX) {
    io.log(`… ${report.skipped - REPORTED_ERRORS_MAX} more bad lines skipped`);
  }
  return report;
}
