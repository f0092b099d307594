import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({
  integrationSetup: "@emote/testkit/setup",
  testTimeout: 60_000,
  // kafkajs's advice about its v2 partitioner change; nothing here relies on the old one.
  env: { KAFKAJS_NO_PARTITIONER_WARNING: "1" },
});
