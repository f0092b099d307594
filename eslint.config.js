import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    files: ["**/*.mjs"],
    languageOptions: { globals: { console: "readonly", process: "readonly" } },
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
