import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects({ integrationSetup: "@emote/db/test-setup" });
