import { detectorKindSchema, DETECTOR_KINDS } from "@emote/contracts";
import { z } from "zod";

/**
 * Text that goes into a query: PostgreSQL cannot store a NUL, so one would surface as a
 * driver error (a 500) instead of a clear 400.
 */
export const queryText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !s.includes("\0"), "must not contain NUL characters");

/** An ISO instant PostgreSQL can hold and compare: years 1 to 9999 in UTC (no year 0). */
export const isoInstant = () =>
  z.iso.datetime({ offset: true }).refine((s) => {
    const year = new Date(s).getUTCFullYear();
    // Not a date at all: the format check already said so.
    return Number.isNaN(year) || (year >= 1 && year <= 9999);
  }, "must be a date between the years 1 and 9999");

const KINDS_MESSAGE = `Kinds must be a list of 1 to ${DETECTOR_KINDS.length} of ${DETECTOR_KINDS.join(", ")}, each once`;

/**
 * Which detectors' moments a live subscriber wants. Default: the seed's rule only, what
 * the original contract's `moments.live` delivered (decision 011).
 */
export const detectorKindsInput = z
  .array(detectorKindSchema, { error: KINDS_MESSAGE })
  .min(1, KINDS_MESSAGE)
  .max(DETECTOR_KINDS.length, KINDS_MESSAGE)
  .refine((list) => new Set(list).size === list.length, KINDS_MESSAGE)
  .default(["threshold"]);
