import type { DetectedMoment, StreamDetector } from "../detectors/detector-types.ts";
import { timestampWindow } from "@emote/contracts";
import { parseEmoteLine, parseFastAt } from "./emote-line.ts";

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
 * A bad line is skipped and counted; blank lines are ignored. The input is UTF-8
 * bytes in chunks of any size (lines end with `\n` or `\r\n`; the last may lack it),
 * read as latin1 text (see emote-line.ts): lines are read in place, never split into
 * strings of their own.
 */
export async function detectLines(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  detector: StreamDetector,
  io: DetectIo,
): Promise<DetectReport> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const window = timestampWindow();
  const report: DetectReport = { lines: 0, skipped: 0, moments: 0, elapsedMs: 0, cpuMs: 0 };
  let pending = "";
  const line = (text: string, start: number, next: number): void => {
    const end = next > start && text.charCodeAt(next - 1) === 0x0d ? next - 1 : next;
    report.lines++;
    if (report.lines % PROGRESS_EVERY_LINES === 0)
      io.log(`${report.lines.toLocaleString("en-US")} lines read`);
    let record = parseFastAt(text, start, end, window);
    if (!record) {
      const bytes = Buffer.from(text.slice(start, end), "latin1").toString("utf8");
      if (bytes.trim() === "") return;
      const parsed = parseEmoteLine(bytes, window);
      if (!parsed.ok) {
        report.skipped++;
        if (report.skipped <= REPORTED_ERRORS_MAX) io.log(`line ${report.lines} skipped: ${parsed.error}`);
        return;
      }
      record = parsed.record;
    }
    const moments: readonly DetectedMoment[] = detector.push(record);
    for (const m of moments) pending += `${JSON.stringify(m)}\n`;
    report.moments += moments.length;
  };
  // The part of the last chunk after its last newline.
  let rest = "";
  // One await per chunk, not per line.
  for await (const bytes of chunks) {
    const text = rest + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    let start = 0;
    for (let next = text.indexOf("\n"); next !== -1; next = text.indexOf("\n", start)) {
      line(text, start, next);
      start = next + 1;
    }
    rest = text.slice(start);
    if (pending.length >= CHUNK_CHARS) {
      await io.write(pending);
      pending = "";
    }
  }
  if (rest !== "") line(rest, 0, rest.length);
  if (pending !== "") await io.write(pending);
  report.elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  report.cpuMs = (cpu.user + cpu.system) / 1000;
  if (report.skipped > REPORTED_ERRORS_MAX) {
    io.log(`… ${report.skipped - REPORTED_ERRORS_MAX} more bad lines skipped`);
  }
  return report;
}
