import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({
  integrationSetup: "@emote/db/test-setup",
  testTimeout: 90_000,
  hookTimeout: 90_000,
  integrationFileParallelism: false,
});
