import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({
  integrationSetup: "@emote/db/test-setup",
  testTimeout: 240_000,
  // Each test runs several worker processes and its own brokers: one file at a time.
  integrationFileParallelism: false,
});
