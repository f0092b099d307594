// The analysis room: a streamer's open batch, the detector that finds its moments, and
// the moments' ids. The rest of the worker reaches it through this file only.
export type { Detector, Finding, MinuteCounts } from "./detector.ts";
export { thresholdDetector } from "./threshold.ts";
export { minuteStart, OpenBatch } from "./open-batch.ts";
export { momentId, toMoment } from "./moments.ts";
export { StreamerBatch } from "./streamer-batch.ts";
