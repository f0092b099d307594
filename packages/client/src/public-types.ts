import type { AppRouter as ServerRouter } from "@emote/api";
import type { PublicRouter } from "./public-router.ts";

// Each type here is written out as plain structure in the package's declarations
// (scripts/declarations.ts), so the published types name nothing of the server.

/** The Emote Pulse API's router type, for `createTRPCClient<AppRouter>` and tRPC's helpers. */
export type AppRouter = PublicRouter<ServerRouter>;
