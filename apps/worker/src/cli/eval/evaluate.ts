import type { DetectedMoment, DetectorKind } from "../../detectors/detector-types.ts";
import { createDetector } from "../detector-choice.ts";
import { detectLines } from "../detect-lines.ts";
import type { TimedRecord } from "./chat-model.ts";
import { buildCorpora, type Corpus, type ParameterSet } from "./scenarios.ts";
import { addTally, emptyTally, metricsOf, scoreDetections, type Tally } from "./scoring.ts";
import type { Row } from "./table.ts";

export const OVERALL = "overall";

/** A record as a `raw-emote-data` line with its viewer, in the form producers write. */
export function toLine(r: TimedRecord): string {
  return JSON.stringify({
    emote: r.emote,
    timestamp: new Date(r.timestampMs).toISOString(),
    streamerId: r.streamerId,
    viewer: r.viewer,
  });
}

/**
 * The same chat as other sources write it, to see how far the results hold: timestamps
 * (and the labels' onsets and ends alike) cut to `resolutionMs` (1000: whole seconds), and
 * records without their viewer (`anonymous`: a source that has no viewer ids).
 */
export interface CorpusForm {
  resolutionMs?: number;
  anonymous?: boolean;
}

export function inForm(corpus: Corpus, form: CorpusForm): Corpus {
  const step = form.resolutionMs ?? 1;
  const cut = (ms: number): number => Math.floor(ms / step) * step;
  if (step === 1 && !form.anonymous) return corpus;
  return {
    ...corpus,
    records: corpus.records.map(({ viewer, ...r }) => ({
      ...r,
      timestampMs: cut(r.timestampMs),
      ...(form.anonymous ? {} : { viewer }),
    })),
    labels: corpus.labels.map((l) => ({ ...l, onsetMs: cut(l.onsetMs), endMs: cut(l.endMs) })),
  };
}

/** Runs a detector over lines exactly as `npm run detect` does, and reads its output back. */
async function detectOnLines(kind: DetectorKind, lines: readonly string[], settings: unknown) {
  const chunks: string[] = [];
  const report = await detectLines([Buffer.from(`${lines.join("\n")}\n`)], createDetector(kind, settings), {
    write: (text) => void chunks.push(text),
    log: () => {},
  });
  const moments = chunks
    .join("")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as DetectedMoment);
  return { moments, cpuMs: report.cpuMs };
}

/**
 * Every scenario of a parameter set, over several seeds, for each detector: one row per
 * scenario and detector (seeds pooled) and an overall row per detector. The threshold
 * rule gets the defaults with the corpus's emotes allowed; the surge detector its
 * defaults overridden by `surgeSettings`.
 */
export async function evaluate(
  set: ParameterSet,
  seeds: readonly number[],
  kinds: readonly DetectorKind[],
  progress: (line: string) => void,
  surgeSettings: unknown = {},
  form: CorpusForm = {},
): Promise<Row[]> {
  const tallies = new Map<string, Tally>();
  const tallyOf = (scenario: string, kind: string): Tally => {
    const key = `${scenario}\u0000${kind}`;
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = emptyTally()));
    return t;
  };
  const scenarios: string[] = [];
  for (const seed of seeds) {
    for (const corpus of buildCorpora(set, seed).map((c) => inForm(c, form))) {
      if (!scenarios.includes(corpus.scenario)) scenarios.push(corpus.scenario);
      const lines = corpus.records.map(toLine);
      for (const kind of kinds) {
        const { moments, cpuMs } = await detectOnLines(
          kind,
          lines,
          kind === "surge" ? surgeSettings : { allowedEmotes: corpus.emotes },
        );
        const t = scoreDetections(moments, corpus.labels);
        t.streamerHours = corpus.streamerHours;
        t.records = lines.length;
        t.detectorMs = cpuMs;
        addTally(tallyOf(corpus.scenario, kind), t);
        addTally(tallyOf(OVERALL, kind), t);
      }
      progress(
        `${set} seed ${seed} ${corpus.scenario}: ${lines.length} emotes, ${corpus.labels.length} surges`,
      );
    }
  }
  const rows: Row[] = [];
  for (const scenario of [...scenarios, OVERALL]) {
    for (const kind of kinds)
      rows.push({ scenario, detector: kind, metrics: metricsOf(tallyOf(scenario, kind)) });
  }
  return rows;
}
