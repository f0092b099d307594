import type { AppRouter, RouterOutputs } from "@emote/api";
import { createTRPCReact } from "@trpc/react-query";

/** React hooks for every procedure of the API, typed by the server's router. */
export const trpc = createTRPCReact<AppRouter>();

export type Moment = RouterOutputs["moments"]["history"]["items"][number];
export type Settings = RouterOutputs["settings"]["get"];
export type Identity = RouterOutputs["auth"]["whoami"];
export type Role = Identity["role"];
export type StreamSummary = RouterOutputs["streams"]["list"]["items"][number];
export type StreamTimeline = RouterOutputs["streams"]["timeline"];
export type StreamComparison = RouterOutputs["streams"]["compare"];
export type TrendingHistory = RouterOutputs["trending"]["history"];
export type TrendingBoard = TrendingHistory["boards"][number];
