import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { once } from "node:events";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DETECTOR_KINDS } from "./detector-choice.ts";
import { buildCorpora } from "./eval/scenarios.ts";
import { toLine } from "./eval/evaluate.ts";
import type { TimedRecord } from "./eval/chat-model.ts";

const USAGE = "usage: npm run bench:detect -- [--seeds 1,2] [--runs 3] [--layout producer|python]";
const LAYOUTS = ["producer", "python"] as const;
type Layout = (typeof LAYOUTS)[number];
const DETECT = fileURLToPath(new URL("./detect.ts", import.meta.url));
/** The `detect` CLI's summary line (see detect.ts). */
const SUMMARY = /(\d+) lines, \d+ skipped, (\d+) moments .* (\d+) emotes\/s, (\d+) emotes\/CPU-s/;

/**
 * A record as Python's `json.dumps` writes it by default: `", "` and `": "` between fields,
 * characters beyond ASCII escaped, a naive `isoformat()` timestamp (microseconds, no offset),
 * the streamer first.
 */
function pythonLine(r: TimedRecord): string {
  const micros = `${new Date(r.timestampMs).toISOString().slice(0, 23)}000`;
  const json = JSON.stringify({
    streamerId: r.streamerId,
    emote: r.emote,
    timestamp: micros,
    viewer: r.viewer,
  });
  return json
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replaceAll('","', '", "')
    .replaceAll('":"', '": "');
}

/** Every scenario of the tuned set for each seed, one corpus file (streamers apart by their ids). */
async function writeCorpus(path: string, seeds: readonly number[], layout: Layout): Promise<number> {
  const lineOf = layout === "python" ? pythonLine : toLine;
  const out = createWriteStream(path);
  let lines = 0;
  for (const seed of seeds) {
    for (const corpus of buildCorpora("tuned", seed)) {
      let text = "";
      for (const r of corpus.records) text += `${lineOf({ ...r, streamerId: `${seed}-${r.streamerId}` })}\n`;
      lines += corpus.records.length;
      if (!out.write(text)) await once(out, "drain");
    }
  }
  out.end();
  await once(out, "finish");
  return lines;
}

/** One run of the CLI exactly as a user runs it (a fresh process, output discarded). */
async function runDetect(input: string, detector: string): Promise<{ perS: number; perCpuS: number }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", DETECT, "--input", input, "--detector", detector],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const [code] = (await once(child, "exit")) as [number | null];
  const m = SUMMARY.exec(stderr);
  if (code !== 0 || !m) throw new Error(`detect --detector ${detector} failed: ${stderr.trim()}`);
  return { perS: Number(m[3]), perCpuS: Number(m[4]) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: "boolean", short: "h" },
      seeds: { type: "string", default: "1,2" },
      runs: { type: "string", default: "3" },
      layout: { type: "string", default: "producer" },
    },
  });
  if (values.help) {
    process.stdout.write(
      `${USAGE}\n\nWrites the tuned corpora of the seeds to one JSONL file and runs \`npm run detect\` on it\n` +
        "for each detector (best of --runs), printing emotes/s and emotes/CPU-s. --layout python writes\n" +
        "the lines as Python's json.dumps does (spaces, escaped emoji, naive timestamps).\n",
    );
    return;
  }
  const seeds = values.seeds.split(",").map(Number);
  const runs = Number(values.runs);
  if (seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) throw new Error("--seeds must be integers");
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
  const layout = LAYOUTS.find((l) => l === values.layout);
  if (!layout) throw new Error(`--layout must be one of ${LAYOUTS.join(", ")}`);
  const dir = await mkdtemp(join(tmpdir(), "bench-detect-"));
  try {
    const input = join(dir, "corpus.jsonl");
    const lines = await writeCorpus(input, seeds, layout);
    process.stdout.write(
      `corpus: ${lines} emotes (tuned scenarios, seeds ${seeds.join(",")}; ${layout} layout)\n`,
    );
    process.stdout.write(`| detector | emotes/s (best of ${runs}) | emotes/CPU-s (best) | load average |\n`);
    process.stdout.write("|---|---:|---:|---|\n");
    for (const detector of DETECTOR_KINDS) {
      let best = { perS: 0, perCpuS: 0 };
      const load = loadavg()[0] ?? 0;
      // Runs alternate with nothing else: the best run is the least disturbed by other load.
      for (let i = 0; i < runs; i++) {
        const r = await runDetect(input, detector);
        best = { perS: Math.max(best.perS, r.perS), perCpuS: Math.max(best.perCpuS, r.perCpuS) };
      }
      process.stdout.write(`| ${detector} | ${best.perS} | ${best.perCpuS} | ${load.toFixed(2)} |\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:detect: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 1;
});
