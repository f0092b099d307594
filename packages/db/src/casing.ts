/** Must match drizzle.config.ts so generated SQL and queries agree on column names. */
export const CASING = "snake_case" as const;
