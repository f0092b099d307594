import { z } from "zod";

/** A significant moment: `emote` held more than `threshold` of a UTC minute's allowed emotes in one batch. */
export const momentSchema = z.object({
  id: z.string(),
  streamerId: z.string(),
  emote: z.string(),
  /** Start of the UTC minute window, ISO-8601. */
  timestamp: z.iso.datetime(),
  count: z.number().int(),
  total: z.number().int(),
  ratio: z.number(),
  /**
   * W3C traceparent whose trace id is that of the first emote counted for this moment
   * (as its producer sent it in the `traceparent` Kafka header). Absent when that emote
   * had none. Optional: the original contract's readers ignore it.
   */
  traceparent: z
    .string()
    .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional(),
  /**
   * The moment's place in the moment log (1, 2, 3, … in the order the worker's commits
   * made moments durable, without gaps): gateways deliver moments in this order and resume
   * subscribers from it. Set by the worker on every moment it publishes; optional so the
   * original contract's shape stays valid.
   */
  position: z.number().int().positive().optional(),
});
export type Moment = z.infer<typeof momentSchema>;

/** Value of one `aggregated-emote-data` message: the moments of one analysis. */
export const aggregatedMessageSchema = z.array(momentSchema).min(1);
