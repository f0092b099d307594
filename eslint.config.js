import { readdirSync, readFileSync } from "node:fs";
import { URL } from "node:url";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** The package names of the workspaces under a folder (apps, tooling), read from their package.json. */
function workspaceNames(folder) {
  return readdirSync(new URL(`./${folder}/`, import.meta.url), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      try {
        return [
          JSON.parse(readFileSync(new URL(`./${folder}/${d.name}/package.json`, import.meta.url), "utf8"))
            .name,
        ];
      } catch {
        return [];
      }
    });
}

/** A pattern refusing imports of the named packages (and their subpaths). */
function packagesPattern(names, message) {
  const alternatives = names.map((n) => n.replaceAll(".", "\\.")).join("|");
  return { regex: `^(${alternatives})(/|$)`, message };
}

const APPS = workspaceNames("apps");
const TOOLING = workspaceNames("tooling");
// What tests may take from tooling: the test kit and the shared vitest config.
const TEST_TOOLING = ["@emote/testkit", "@emote/vitest-config"];
// Benchmarks also provision (ensureDatabase) and measure (processStats) through infra.
const BENCH_TOOLING = [...TEST_TOOLING, "@emote/infra"];
const TEST_FILES = ["**/*.test.ts", "**/*.test.tsx", "**/test/**", "**/vitest.config.ts"];
const BENCH_FILES = ["**/bench/**"];

const NO_APPS = packagesPattern(APPS, "Packages never import an app: move what both need into a package.");
const noTooling = (allowed, message) =>
  packagesPattern(
    TOOLING.filter((n) => !allowed.includes(n)),
    message,
  );

const PACKAGE_BOUNDARIES = [
  {
    regex: "^@emote/[^/]+/(src|test|bench)(/|$)",
    message: "Import another package through its declared exports (package.json exports).",
  },
  {
    regex: "^(\\.\\./)+(apps|packages|tooling|examples)/",
    message: "Import another package by its name (@emote/...), not by a relative path.",
  },
];

/**
 * One direction block: the package boundaries plus `patterns` for `files`. ESLint replaces a
 * rule's options per matching block, so every block repeats the boundaries.
 */
const direction = (files, patterns) => ({
  files,
  rules: { "no-restricted-imports": ["error", { patterns: [...PACKAGE_BOUNDARIES, ...patterns] }] },
});

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.cache/**", "**/.data/**", "**/drizzle/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // Type-aware rules: a promise nobody awaits or catches fails silently.
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { console: "readonly", process: "readonly", URL: "readonly" } },
  },
  {
    // Boundaries: a package is reached through its declared exports only, never a deep path
    // or a relative path into another package.
    files: ["**/*.ts", "**/*.tsx"],
    rules: { "no-restricted-imports": ["error", { patterns: PACKAGE_BOUNDARIES }] },
  },
  // Direction: apps may import packages; packages never import an app or tooling. Tests
  // may use the test kit. (Later blocks replace this rule's options for the files they match.)
  direction(
    ["packages/**/*.ts", "packages/**/*.tsx"],
    [NO_APPS, noTooling([], "Packages never import tooling (tests may use @emote/testkit).")],
  ),
  direction(
    TEST_FILES.map((f) => `packages/${f}`),
    [NO_APPS, noTooling(TEST_TOOLING, "A package's tests take from tooling only @emote/testkit.")],
  ),
  // An app imports another app only through its declared exports (PACKAGE_BOUNDARIES).
  direction(
    ["apps/**/*.ts", "apps/**/*.tsx"],
    [noTooling([], "Apps never import tooling (tests may use @emote/testkit).")],
  ),
  direction(
    TEST_FILES.map((f) => `apps/${f}`),
    [noTooling(TEST_TOOLING, "An app's tests take from tooling only @emote/testkit.")],
  ),
  direction(
    BENCH_FILES.map((f) => `apps/${f}`),
    [noTooling(BENCH_TOOLING, "An app's benchmarks take from tooling only @emote/testkit and @emote/infra.")],
  ),
  {
    // kafkajs stays behind the bus port (kafkajs is in maintenance mode: one place to replace it).
    // A rule of its own, so the boundary blocks above and this one do not replace each other.
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["packages/bus/src/kafka/**", "tooling/infra/**", "**/test/**", "**/bench/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { paths: [{ name: "kafkajs", message: "Use the bus port (@emote/bus, @emote/bus/kafka)." }] },
      ],
    },
  },
  {
    // Environment is read in exactly one place per app/package (env.ts), as in create-t3-turbo.
    files: ["**/*.ts", "**/*.tsx"],
    ignores: [
      "**/env.ts",
      "**/*.test.ts",
      "**/test/**",
      "**/bench/**",
      "tooling/**",
      "**/vitest.config.ts",
      "**/drizzle.config.ts",
    ],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through this package's env.ts." },
      ],
    },
  },
  {
    // The services log through their pino logger (issue 6); the browser dashboard may warn.
    files: ["apps/*/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-console": "error" },
  },
);
