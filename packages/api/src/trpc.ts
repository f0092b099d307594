import type { Database } from "@emote/db";
import { initTRPC } from "@trpc/server";
import { ZodError, z } from "zod";

export interface Context {
  db: Database;
}

const t = initTRPC.context<Context>().create({
  // A BAD_REQUEST names the fields at fault, so clients can show them inline.
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;
