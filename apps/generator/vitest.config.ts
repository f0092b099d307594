import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Starts (or reuses) the local broker so the integration test runs against real Kafka.
    globalSetup: ["@emote/infra/test-setup"],
    testTimeout: 60_000,
    // kafkajs's advice about its v2 partitioner change; nothing here relies on the old one.
    env: { KAFKAJS_NO_PARTITIONER_WARNING: "1" },
    hookTimeout: 120_000,
  },
});
