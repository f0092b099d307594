export * from "./analysis-progress-repository.ts";
export * from "./client.ts";
export * from "./migrate.ts";
export * from "./moment-repository.ts";
export * from "./moment-rows.ts";
export * from "./schema.ts";
export * from "./settings-repository.ts";
export * from "./streamer-repository.ts";
export { and, asc, desc, eq, gt, gte, inArray, lt, lte, or, sql } from "drizzle-orm";
