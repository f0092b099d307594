import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root.ts";

export { appRouter, type AppRouter } from "./root.ts";
export { createCallerFactory, type Context } from "./trpc.ts";
export { errorShapeOf } from "./errors/error-shape.ts";
export { emoteSendInput, sendEmote, type EmoteSendInput } from "./router/emotes.ts";
export { createTRPCContext, type ContextDeps } from "./context.ts";
export { RateLimitedError, limitKey, type CallLimiter, type CallLimits } from "./limits/rate-limit.ts";
export {
  EmoteRefusedError,
  type AllowedEmotes,
  type EmoteIngest,
  type EmoteToSend,
  type RefusalReason,
  type SentEmote,
} from "./emotes/ingest.ts";
export { VerifiedTokens } from "./auth/verified-tokens.ts";
export { HistoryAllowance } from "./limits/history-allowance.ts";
export {
  type DirectMoments,
  type DirectMomentsRequest,
  type LiveConnection,
  type LiveFeed,
  type LiveObserver,
  type LiveProcedure,
  type LiveSources,
  type MomentFeed,
  type TrendingFeed,
} from "./live/live.ts";
export { RESUME_LOST_CODE } from "./live/resume-code.ts";
export {
  ROLES,
  authenticate,
  signToken,
  type Caller,
  type Claims,
  type Role,
  type VerifyOptions,
} from "./auth/auth.ts";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
