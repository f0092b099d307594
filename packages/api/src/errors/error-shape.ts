import { getTRPCErrorShape, type TRPCError } from "@trpc/server";
import { appRouter } from "../root.ts";
import type { Context } from "../trpc.ts";

/**
 * The error object tRPC's adapters answer for `error` (through this API's errorFormatter),
 * for a server that answers a call without tRPC's adapters (apps/web emote-call.ts), so its
 * clients see the same shape.
 */
export function errorShapeOf(
  error: TRPCError,
  call: {
    path: string;
    type: "query" | "mutation" | "subscription";
    input: unknown;
    ctx: Context | undefined;
  },
) {
  return getTRPCErrorShape({ config: appRouter._def._config, error, ...call });
}
