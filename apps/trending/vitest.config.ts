import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({
  integrationSetup: "@emote/db/test-setup",
  testTimeout: 120_000,
  // Integration tests share one broker and database; running files one at a time keeps
  // rebalances and timings predictable on a 2-core machine.
  integrationFileParallelism: false,
});
