import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The distributed-mode test needs Kafka and the migrated test database.
    globalSetup: ["@emote/db/test-setup"],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
