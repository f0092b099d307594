import { DEFAULT_EMOTES } from "@emote/contracts";
import { streamerChat, type ChatParams, type LabelledSurge, type TimedRecord } from "./chat-model.ts";
import { independentCorpora } from "./independent.ts";
import { seededRandom } from "./random.ts";

export interface Corpus {
  scenario: string;
  records: TimedRecord[];
  labels: LabelledSurge[];
  streamerHours: number;
  /** Every emote the corpus uses (the threshold rule's allowed emotes). */
  emotes: string[];
}

interface Scenario {
  name: string;
  streamers: number;
  /** Chat of each streamer (several: a streamer draws one). */
  chats: readonly ChatParams[];
}

const BUSY: ChatParams = {
  emotes: DEFAULT_EMOTES,
  durationS: 1_800,
  rate: [6, 30],
  popularShare: [0.25, 0.45],
  driftFactor: 2,
  driftOverS: 1_800,
  surgeKind: "additive",
  surgeGapS: [60, 240],
  surgeLengthS: [6, 45],
  surgeMultiple: [2, 5],
  surgeMinAdd: 3,
  surgeViewers: [5, 30],
  mixShare: [0.4, 0.8],
  spamGapS: [120, 400],
  spamLengthS: [5, 30],
  spamRate: [2, 8],
  viewersPerRate: 40,
  lateShare: 0.03,
  lateMs: 800,
};

const MIX: ChatParams = { ...BUSY, driftFactor: 1, surgeKind: "mix", rate: [4, 25] };
const QUIET: ChatParams = {
  ...BUSY,
  rate: [0.5, 1],
  surgeMultiple: [0, 0],
  surgeMinAdd: 2.5,
  surgeViewers: [4, 8],
  spamGapS: [200, 600],
  spamRate: [1, 4],
};
const SPAM: ChatParams = { ...BUSY, rate: [2, 12], spamGapS: [15, 60], spamRate: [2, 10] };

/** The parameter set the detector was tuned on. */
const TUNED: readonly Scenario[] = [
  { name: "popular+drift", streamers: 6, chats: [BUSY] },
  { name: "mix shift", streamers: 6, chats: [MIX] },
  { name: "quiet", streamers: 8, chats: [QUIET] },
  { name: "single-viewer spam", streamers: 6, chats: [SPAM] },
  {
    name: "interleaved",
    streamers: 40,
    chats: [BUSY, MIX, QUIET, SPAM].map((c) => ({ ...c, durationS: 600 })),
  },
];

/** Named emotes, written as the contract's emote rule wants them (`:name:`). */
const CUSTOM_EMOTES = [
  ":PogChamp:",
  ":KEKW:",
  ":LUL:",
  ":monkaS:",
  ":Kappa:",
  ":OMEGALUL:",
  ":Sadge:",
  ":catJAM:",
  ":EZ:",
  ":5Head:",
];

/** A parameter set never tuned on: other emotes, rates, lengths, drift and spam. */
function heldOut(c: ChatParams): ChatParams {
  return {
    ...c,
    emotes: CUSTOM_EMOTES,
    popularShare: [0.3, 0.5],
    driftFactor: c.driftFactor === 1 ? 1 : 2.5,
    driftOverS: 1_500,
    surgeGapS: [45, 180],
    surgeLengthS: [8, 40],
    surgeMultiple: c.surgeMultiple[1] === 0 ? c.surgeMultiple : [2.5, 6],
    surgeViewers: c.rate[1] <= 1 ? [5, 9] : [6, 40],
    mixShare: [0.35, 0.7],
    viewersPerRate: 25,
    lateShare: 0.05,
    lateMs: 1_200,
  };
}

const HELD_OUT: readonly Scenario[] = TUNED.map((s) => ({
  ...s,
  chats: s.chats.map((c) => {
    const h = heldOut(c);
    if (c.rate[1] <= 1) return { ...h, rate: [0.4, 1.2] };
    return { ...h, rate: [c.rate[0] * 1.5, c.rate[1] * 1.5] };
  }),
}));

export const PARAMETER_SETS = { tuned: TUNED, "held-out": HELD_OUT } as const;
/** A parameter set above, or `independent`: the independent generator's scenarios. */
export type ParameterSet = keyof typeof PARAMETER_SETS | "independent";

const START_MS = Date.parse("2026-01-01T18:00:00Z");

/** Every scenario of a parameter set for one seed; streamers interleaved in arrival order. */
export function buildCorpora(set: ParameterSet, seed: number): Corpus[] {
  if (set === "independent") return independentCorpora(seed);
  return PARAMETER_SETS[set].map((scenario, index) => {
    const random = seededRandom(seed * 7919 + index * 104_729);
    const records: TimedRecord[] = [];
    const labels: LabelledSurge[] = [];
    let seconds = 0;
    for (let i = 0; i < scenario.streamers; i++) {
      const chat = random.pick(scenario.chats);
      const offset = Math.floor(random.between(0, 120_000));
      const one = streamerChat(`s${index}-${i}`, START_MS + offset, chat, random);
      // One by one: a spread of 100,000 arguments overflows the stack.
      for (const r of one.records) records.push(r);
      for (const l of one.labels) labels.push(l);
      seconds += chat.durationS;
    }
    records.sort((a, b) => a.arrivalMs - b.arrivalMs);
    const emotes = [...new Set(scenario.chats.flatMap((c) => c.emotes))];
    return { scenario: scenario.name, records, labels, streamerHours: seconds / 3_600, emotes };
  });
}
