export * from "./emote.ts";
export * from "./streamer-id.ts";
export * from "./settings.ts";
export * from "./raw-emote.ts";
export * from "./moment.ts";
export * from "./window-stats.ts";
export * from "./dlq.ts";
export * from "./storable-text.ts";
