import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({ testTimeout: 180_000, hookTimeout: 600_000 });
