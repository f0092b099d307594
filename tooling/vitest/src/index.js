// Plain JavaScript (typed by JSDoc): vitest loads a package's config with Node's own
// loader, which cannot import TypeScript from another workspace package.
import { defineConfig } from "vitest/config";

/**
 * @typedef {object} ProjectOptions
 * @property {string} [integrationSetup] globalSetup of the integration project (e.g.
 *   `@emote/db/test-setup`): it starts or reuses Kafka and migrates the test database, so
 *   the unit project never needs one.
 * @property {number} [testTimeout]
 * @property {number} [hookTimeout]
 * @property {boolean} [integrationFileParallelism] false runs integration files one at a
 *   time (they share one broker and database).
 * @property {Record<string, string>} [env] variables set for every test of the package
 */

/**
 * Where tests sit: beside the code they pin (a library's src/, or bin/ for the CLIs a package
 * ships outside its library), or under test/ when they need real services.
 */
export const UNIT_TESTS = ["src/**/*.test.{ts,tsx}", "bin/**/*.test.{ts,tsx}"];
export const INTEGRATION_TESTS = ["test/**/*.test.{ts,tsx}"];

/**
 * A package's vitest config: a `unit` project (no Kafka, PostgreSQL or browser; run alone
 * by `npm run test:unit`) and an `integration` project with the package's global setup.
 * `vitest run` runs both, so `npm test` still runs everything.
 *
 * @param {ProjectOptions} [opts]
 */
export function defineTestProjects(opts = {}) {
  const shared = {
    testTimeout: opts.testTimeout ?? 30_000,
    hookTimeout: opts.hookTimeout ?? 120_000,
    ...(opts.env ? { env: opts.env } : {}),
  };
  return defineConfig({
    test: {
      projects: [
        { test: { ...shared, name: "unit", include: UNIT_TESTS } },
        {
          test: {
            ...shared,
            name: "integration",
            include: INTEGRATION_TESTS,
            fileParallelism: opts.integrationFileParallelism ?? true,
            ...(opts.integrationSetup ? { globalSetup: [opts.integrationSetup] } : {}),
          },
        },
      ],
    },
  });
}
