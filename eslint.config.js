import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
  {
    // kafkajs stays behind the bus port (kafkajs is in maintenance mode: one place to replace it).
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["packages/bus/src/kafka/**", "tooling/infra/**", "**/test/**", "**/bench/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "kafkajs", message: "Use the bus port (@emote/bus, @emote/bus/kafka)." }],
          patterns: PACKAGE_BOUNDARIES,
        },
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
