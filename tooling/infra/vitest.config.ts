import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({ integrationSetup: "./src/test-setup.ts", testTimeout: 60_000 });
