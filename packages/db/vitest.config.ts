import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./src/test-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
