import { parseArgs } from "node:util";
import { DETECTOR_KINDS } from "./detector-choice.ts";
import { evaluate } from "./eval/evaluate.ts";
import { markdownTable } from "./eval/table.ts";

const USAGE =
  "usage: npm run eval:detectors -- [--seeds 1,2,3] [--held-out-seeds 11,12,13] [--detector surge|threshold] [--settings SURGE_JSON]";

function seedList(text: string, flag: string): number[] {
  const seeds = text.split(",").map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    throw new Error(`${flag} must be a comma-separated list of non-negative integers`);
  }
  return seeds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: "boolean", short: "h" },
      seeds: { type: "string", default: "1,2,3" },
      "held-out-seeds": { type: "string", default: "11,12,13" },
      detector: { type: "string" },
      settings: { type: "string", default: "{}" },
    },
  });
  if (values.help) {
    process.stdout.write(
      `${USAGE}\n\nBuilds the labelled synthetic corpora (tuned and held-out parameter sets, seeded),\n` +
        "runs each detector through the `detect` path and prints per scenario and overall:\n" +
        "precision, recall, F1, duplicates, latency p50/p95, moments per streamer-hour, emotes/CPU-s.\n",
    );
    return;
  }
  const kinds =
    values.detector === undefined ? DETECTOR_KINDS : DETECTOR_KINDS.filter((k) => k === values.detector);
  if (kinds.length === 0) throw new Error(`--detector must be one of ${DETECTOR_KINDS.join(", ")}`);
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  let settings: unknown;
  try {
    settings = JSON.parse(values.settings);
  } catch {
    throw new Error("--settings is not JSON");
  }
  const tuned = await evaluate("tuned", seedList(values.seeds, "--seeds"), kinds, progress, settings);
  const heldOut = await evaluate(
    "held-out",
    seedList(values["held-out-seeds"], "--held-out-seeds"),
    kinds,
    progress,
    settings,
  );
  process.stdout.write(`## Tuned parameter set, seeds ${values.seeds}\n\n${markdownTable(tuned)}\n\n`);
  process.stdout.write(
    `## Held-out parameter set (never tuned on), seeds ${values["held-out-seeds"]}\n\n${markdownTable(heldOut)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `eval:detectors: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`,
  );
  process.exitCode = 1;
});
