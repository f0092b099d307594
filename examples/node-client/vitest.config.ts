import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({ testTimeout: 90_000 });
