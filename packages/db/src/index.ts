export * from "./client.ts";
export * from "./migrate.ts";
export * from "./schema.ts";
export * from "./settings-repository.ts";
export { and, asc, desc, eq, gt, gte, inArray, lt, lte, or, sql } from "drizzle-orm";
