import { fileURLToPath } from "node:url";

/** The monorepo root (this file is tooling/infra/src/repo-root.ts). */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
