import { momentsRouter } from "./router/moments.ts";
import { settingsRouter } from "./router/settings.ts";
import { streamersRouter } from "./router/streamers.ts";
import { createTRPCRouter } from "./trpc.ts";

export const appRouter = createTRPCRouter({
  settings: settingsRouter,
  moments: momentsRouter,
  streamers: streamersRouter,
});

export type AppRouter = typeof appRouter;
