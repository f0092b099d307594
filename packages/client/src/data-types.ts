import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./public-types.ts";

/** Every procedure's input, e.g. `RouterInputs["moments"]["history"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's answer, e.g. `RouterOutputs["settings"]["get"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** A significant moment: the original rule's (an emote's share of a window above the threshold) or, with kind "surge", a highlight. */
export type Moment = RouterOutputs["moments"]["history"]["items"][number];
/** A streamer's broadcast as a session of its chat (streams.list). */
export type Stream = RouterOutputs["streams"]["list"]["items"][number];
/** A page of streams.list, newest first; `nextCursor` asks for the next one. */
export type StreamPage = RouterOutputs["streams"]["list"];
/** A stream's intensity slots, surge moments and the rule's count (streams.timeline). */
export type StreamTimeline = RouterOutputs["streams"]["timeline"];
/** The two detectors compared on one stream (streams.compare). */
export type StreamComparison = RouterOutputs["streams"]["compare"];
/** A page of moments.history; `nextCursor` asks for the next one. */
export type MomentPage = RouterOutputs["moments"]["history"];
/** A streamer's analysis settings (settings.get, settings.update). */
export type AnalysisSettings = RouterOutputs["settings"]["get"];
/** A change to settings: only the fields given change. */
export type SettingsUpdate = RouterInputs["settings"]["update"];
/** One window's emote counts for a streamer (stats.live). */
export type WindowStats = RouterOutputs["stats"]["live"];
/** What the server answers once Kafka has an emote (emotes.send). */
export type SentEmote = RouterOutputs["emotes"]["send"];
/** Who the server takes the caller for (auth.whoami). */
export type Identity = RouterOutputs["auth"]["whoami"];
/** One settings change in the audit log (audit.list). */
export type AuditEntry = RouterOutputs["audit"]["list"]["items"][number];
/** One state of the platform view (trending.live, trending.history): what trends across all streamers. */
export type TrendingBoard = RouterOutputs["trending"]["history"]["boards"][number];
/** The `data` of a TRPCClientError: `code`, `httpStatus`, `retryAfterSeconds`, `zodError`, `requestId`. */
export type ErrorData = AppRouter["_def"]["_config"]["$types"]["errorShape"]["data"];
