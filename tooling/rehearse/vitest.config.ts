import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({
  integrationSetup: "@emote/db/test-setup",
  // The rehearsal runs its own nginx, nine gateway starts and a worker: about 2 minutes on a
  // quiet machine, 10 on one loaded by every other test.
  testTimeout: 900_000,
  integrationFileParallelism: false,
});
