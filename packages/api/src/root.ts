import { auditRouter } from "./router/audit.ts";
import { authRouter } from "./router/auth.ts";
import { emotesRouter } from "./router/emotes.ts";
import { momentsRouter } from "./router/moments.ts";
import { statsRouter } from "./router/stats.ts";
import { settingsRouter } from "./router/settings.ts";
import { streamersRouter } from "./router/streamers.ts";
import { streamsRouter } from "./router/streams.ts";
import { trendingRouter } from "./router/trending.ts";
import { createTRPCRouter } from "./trpc.ts";

export const appRouter = createTRPCRouter({
  audit: auditRouter,
  auth: authRouter,
  emotes: emotesRouter,
  stats: statsRouter,
  settings: settingsRouter,
  moments: momentsRouter,
  streamers: streamersRouter,
  streams: streamsRouter,
  trending: trendingRouter,
});

export type AppRouter = typeof appRouter;
