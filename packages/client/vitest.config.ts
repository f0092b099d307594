import { defineTestProjects } from "@emote/vitest-config";

// Each integration file runs an embedded server of its own: one at a time on a shared machine.
export default defineTestProjects({
  testTimeout: 300_000,
  hookTimeout: 600_000,
  integrationFileParallelism: false,
});
