import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({ integrationSetup: "./src/setup.ts", testTimeout: 60_000 });
