import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({
  integrationSetup: "@emote/db/test-setup",
  // The rehearsal runs its own nginx, gateways and worker: alone, and a few minutes at most.
  testTimeout: 300_000,
  integrationFileParallelism: false,
});
