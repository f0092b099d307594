import type { DetectedMoment, StreamDetector } from "../detectors/detector-types.ts";
import { OFFLINE_WINDOW, parseEmoteAt, type TimeUnit } from "./emote-line.ts";
import { TimeOrderCheck } from "./time-order.ts";
import { LATE_ALLOWANCE_MS } from "../detectors/surge/surge-detector.ts";

/** Bad lines reported one by one; the rest are only counted. */
const REPORTED_ERRORS_MAX = 10;
/** Output is written in chunks of about this many characters. */
const CHUNK_CHARS = 64 * 1024;
const PROGRESS_EVERY_LINES = 1_000_000;
/** No value is near this long; a longer line is skipped without being held (bounded memory). */
export const LINE_MAX_BYTES = 1 << 20;
const YEAR_1971_MS = Date.UTC(1971, 0, 1);
const LF = 0x0a;
const CR = 0x0d;

export interface DetectReport {
  lines: number;
  skipped: number;
  moments: number;
  /** Records more than the detectors' late allowance behind their streamer's newest (see time-order.ts). */
  late: number;
  /**
   * Records dated in 1970: a synthetic corpus may start at the epoch, but milliseconds
   * from a stream's start, read as seconds by `auto`, land there too (see detect.ts).
   */
  in1970: number;
  elapsedMs: number;
  /** CPU time of this process meanwhile: on a shared machine, the honest cost. */
  cpuMs: number;
}

export interface DetectOptions {
  /**
   * Print a surge at its onset and again (same id, with `endedAt`) when it ends, as the
   * worker publishes it: for a live pipe. Otherwise each moment is printed once,
   * complete: a surge when it ends or, still open, when the input does.
   */
  updates?: boolean;
  /** What a timestamp given as a number counts (see `TimeUnit`); `auto` when absent. */
  timeUnit?: TimeUnit;
}

export interface DetectIo {
  /** Receives moments as JSON lines, in chunks; may wait (backpressure). */
  write(text: string): void | Promise<void>;
  /** Progress and bad lines, one line each. */
  log(line: string): void;
}

/**
 * The `detect` path, shared by the CLI and the evaluation: every line parsed, each
 * record given to the detector in input order, each moment printed as one JSON line
 * (once, unless `updates`: one line per moment is what a reader of the output counts).
 * A bad line is skipped and counted; blank lines are ignored. The input is UTF-8
 * bytes in chunks of any size (lines end with `\n` or `\r\n`; the last may lack it),
 * read in place (see fast-line.ts, flat-line.ts): a line becomes a string only when
 * neither in-place reader can read it. A byte order mark before the first line is dropped.
 */
export async function detectLines(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  detector: StreamDetector,
  io: DetectIo,
  options: DetectOptions = {},
): Promise<DetectReport> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const report: DetectReport = {
    lines: 0,
    skipped: 0,
    moments: 0,
    late: 0,
    in1970: 0,
    elapsedMs: 0,
    cpuMs: 0,
  };
  const order = new TimeOrderCheck();
  let pending = "";
  // Open surges waiting for their end, by id, in onset order; at most one per streamer and emote.
  const open = new Map<string, DetectedMoment>();
  const print = (m: DetectedMoment): void => {
    pending += `${JSON.stringify(m)}\n`;
    report.moments++;
  };
  const emit = (m: DetectedMoment): void => {
    if (!options.updates && m.kind === "surge") {
      if (m.endedAt === undefined) {
        open.set(m.id, m);
        return;
      }
      open.delete(m.id);
    }
    print(m);
  };
  const line = (buf: Uint8Array, start: number, next: number): void => {
    const end = next > start && buf[next - 1] === CR ? next - 1 : next;
    report.lines++;
    if (report.lines % PROGRESS_EVERY_LINES === 0)
      io.log(`${report.lines.toLocaleString("en-US")} lines read`);
    const parsed = parseEmoteAt(buf, start, end, OFFLINE_WINDOW, options.timeUnit);
    if (!parsed.ok) {
      if (
        Buffer.from(buf.buffer, buf.byteOffset + start, end - start)
          .toString("utf8")
          .trim() === ""
      )
        return;
      report.skipped++;
      if (report.skipped <= REPORTED_ERRORS_MAX) io.log(`line ${report.lines} skipped: ${parsed.error}`);
      return;
    }
    const { record } = parsed;
    order.observe(record.streamerId, record.timestampMs);
    if (record.timestampMs < YEAR_1971_MS) report.in1970++;
    for (const m of detector.push(record)) emit(m);
  };
  // The bytes of the last chunk after its last newline (a line cut by the chunk's end).
  let rest: Buffer = Buffer.alloc(0);
  // Inside a line too long to hold: its bytes are dropped up to its newline.
  let overlong = false;
  // One await per chunk, not per line.
  // A byte order mark (Windows tools write one) is not part of the first line.
  let first = true;
  for await (const chunk of chunks) {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (first && bytes.length > 0) {
      first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    const buf = rest.length === 0 ? bytes : Buffer.concat([rest, bytes]);
    let start = 0;
    if (overlong) {
      const next = buf.indexOf(LF);
      overlong = next === -1;
      start = overlong ? buf.length : next + 1;
    }
    for (let next = buf.indexOf(LF, start); next !== -1; next = buf.indexOf(LF, start)) {
      line(buf, start, next);
      start = next + 1;
    }
    // A copy: a view would keep the whole chunk alive.
    rest = Buffer.from(buf.subarray(start));
    if (rest.length > LINE_MAX_BYTES) {
      report.lines++;
      report.skipped++;
      if (report.skipped <= REPORTED_ERRORS_MAX) {
        io.log(`line ${report.lines} skipped: longer than ${LINE_MAX_BYTES} bytes`);
      }
      rest = Buffer.alloc(0);
      overlong = true;
    }
    if (pending.length >= CHUNK_CHARS) {
      await io.write(pending);
      pending = "";
    }
  }
  if (rest.length > 0) line(rest, 0, rest.length);
  for (const m of open.values()) print(m);
  if (pending !== "") await io.write(pending);
  report.elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  report.cpuMs = (cpu.user + cpu.system) / 1000;
  report.late = order.late;
  if (order.late > 0) {
    io.log(
      `${order.late} records came more than ${LATE_ALLOWANCE_MS / 1000} s behind their streamer's newest ` +
        `(up to ${Math.round(order.maxLagMs / 1000)} s): the detectors read each stream in time order, ` +
        "so these were not counted where they belong; sort the input by timestamp for exact moments",
    );
  }
  if (report.in1970 > 0 && (options.timeUnit ?? "auto") === "auto") {
    io.log(
      `${report.in1970} records are dated in 1970. A timestamp given as a number below 1e11 is read as ` +
        "epoch seconds: if yours count milliseconds (from a stream's start, say), pass --time-unit ms",
    );
  }
  if (report.skipped > REPORTED_ERRORS_MAX) {
    io.log(`… ${report.skipped - REPORTED_ERRORS_MAX} more bad lines skipped`);
  }
  return report;
}
