import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@emote/db/test-setup"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
