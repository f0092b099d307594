import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { destructiveStatements, statementsOf } from "./migration-safety.ts";
import { MIGRATIONS_FOLDER } from "./migrate.ts";

/**
 * Past destructive statements, each with why it stays. Add one only with a reason that holds for
 * a rolling deploy and a rollback (docs/decisions/012-kubernetes-deployment.md).
 */
const ALLOWED: { file: string; statement: string; reason: string }[] = [
  {
    file: "0006_moment_log.sql",
    statement: 'ALTER TABLE "moments" ALTER COLUMN "position" SET NOT NULL',
    reason:
      "before deploys overlapped versions: releases then stopped every process first; position is filled in the same migration",
  },
  {
    file: "0006_moment_log.sql",
    statement: 'ALTER TABLE "moments" DROP COLUMN "seq"',
    reason: "before deploys overlapped versions; seq was replaced by position in the same migration",
  },
  {
    file: "0016_detector_state_json.sql",
    statement: 'ALTER TABLE "streamer_progress" ALTER COLUMN "detector_state" SET DATA TYPE json',
    reason:
      "jsonb to json: PostgreSQL casts jsonb to json on assignment, so the previous release's upsert (jsonb) still writes the column, and both read it back as the same JSON; the table holds one small row per streamer, so the rewrite is brief",
  },
];

function migrationFiles(): Record<string, string> {
  const names = readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith(".sql"));
  return Object.fromEntries(names.map((f) => [f, readFileSync(join(MIGRATIONS_FOLDER, f), "utf8")]));
}

describe("migrations stay forward compatible", () => {
  it("no migration drops, renames, retypes or requires what the previous release uses, beyond the allow-list", () => {
    const found = destructiveStatements(migrationFiles()).filter(
      (d) => !ALLOWED.some((a) => a.file === d.file && a.statement === d.statement),
    );
    expect(found).toEqual([]);
  });

  it("every allow-list entry still names a real statement", () => {
    const files = migrationFiles();
    for (const a of ALLOWED) expect(statementsOf(files[a.file] ?? "")).toContain(a.statement);
  });
});

describe("destructiveStatements", () => {
  it("finds each kind of contraction, and passes expansions", () => {
    const sql = [
      'ALTER TABLE "a" ADD COLUMN "b" text DEFAULT \'x\' NOT NULL;',
      'CREATE INDEX "i" ON "a" ("b");',
      'DROP INDEX "old_idx";',
      'ALTER TABLE "a" DROP COLUMN "c";',
      'ALTER TABLE "a" RENAME COLUMN "d" TO "e";',
      'ALTER TABLE "a" ALTER COLUMN "f" SET DATA TYPE bigint;',
      'ALTER TABLE "a" ALTER COLUMN "g" SET NOT NULL;',
      'DROP TABLE "h";',
    ].join("--> statement-breakpoint\n");
    expect(destructiveStatements({ "x.sql": sql }).map((d) => d.statement)).toEqual([
      'ALTER TABLE "a" DROP COLUMN "c"',
      'ALTER TABLE "a" RENAME COLUMN "d" TO "e"',
      'ALTER TABLE "a" ALTER COLUMN "f" SET DATA TYPE bigint',
      'ALTER TABLE "a" ALTER COLUMN "g" SET NOT NULL',
      'DROP TABLE "h"',
    ]);
  });
});
