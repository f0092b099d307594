import type {
  AnyRouter,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from "@trpc/server";
import type { TrackedData } from "@trpc/server/unstable-core-do-not-import";

/**
 * A type as plain structure: each level is a new anonymous object (`& {}` drops the alias),
 * so a printed declaration spells out the fields instead of naming server modules' types
 * (zod inferences, database rows).
 */
type Plain<T> = T extends ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown)
  ? T
  : T extends object
    ? { [K in keyof T]: Plain<T[K]> } & {}
    : T;

type PlainYield<Y> = Y extends TrackedData<infer D> ? TrackedData<Plain<D>> : Plain<Y>;

type PlainOutput<O> =
  O extends AsyncIterable<infer Y, infer R, infer N> ? AsyncIterable<PlainYield<Y>, R, N> : Plain<O>;

type PublicDef<D extends { input: unknown; output: unknown; meta: unknown }> = {
  input: Plain<D["input"]>;
  output: PlainOutput<D["output"]>;
  meta: D["meta"];
} & {};

type PublicProcedure<P> =
  P extends TRPCQueryProcedure<infer D>
    ? TRPCQueryProcedure<PublicDef<D>>
    : P extends TRPCMutationProcedure<infer D>
      ? TRPCMutationProcedure<PublicDef<D>>
      : P extends TRPCSubscriptionProcedure<infer D>
        ? TRPCSubscriptionProcedure<PublicDef<D>>
        : PublicRecord<P>;

type PublicRecord<R> = { [K in keyof R]: PublicProcedure<R[K]> } & {};

type RootTypes<R extends AnyRouter> = R["_def"]["_config"]["$types"];

/**
 * The router as a client sees it: the same procedures, inputs, outputs, error shape and
 * transformer, with the server's request context (database, Kafka, limits) left out — a
 * client never sees it, and naming it would pull the server's modules into the SDK.
 */
export type PublicRouter<R extends AnyRouter> = TRPCBuiltRouter<
  {
    ctx: object;
    meta: RootTypes<R>["meta"];
    errorShape: Plain<RootTypes<R>["errorShape"]>;
    transformer: RootTypes<R>["transformer"];
  },
  PublicRecord<R["_def"]["record"]>
>;
