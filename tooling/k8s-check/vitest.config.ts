import { defineTestProjects } from "@emote/vitest-config";

export default defineTestProjects();
