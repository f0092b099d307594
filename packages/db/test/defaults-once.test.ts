import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import {
  DEFAULTS_ROW_ID,
  MIGRATIONS_FOLDER,
  eq,
  getEffectiveSettings,
  loadSettingsSnapshot,
  openEmbeddedDatabase,
  saveSettings,
  sql,
  streamerSettings,
} from "../src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "emote-defaults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first statement of a migration file, as drizzle splits them. */
const statementOf = (file: string) =>
  (readFileSync(join(MIGRATIONS_FOLDER, file), "utf8").split("--> statement-breakpoint")[0] ?? "").trim();

const defaultsRow = async (conn: Awaited<ReturnType<typeof openEmbeddedDatabase>>) =>
  conn.db.select().from(streamerSettings).where(eq(streamerSettings.streamerId, DEFAULTS_ROW_ID));

describe("the default settings, written once (in DEFAULT_SETTINGS)", () => {
  it("a migrated database holds no defaults row: every streamer without settings gets DEFAULT_SETTINGS", async () => {
    const conn = await openEmbeddedDatabase(join(dir, "fresh"));
    try {
      await conn.migrate();
      expect(await defaultsRow(conn)).toEqual([]);
      expect((await loadSettingsSnapshot(conn.db)).defaults).toEqual(DEFAULT_SETTINGS);
      expect(await getEffectiveSettings(conn.db, "anyone")).toEqual(DEFAULT_SETTINGS);
    } finally {
      await conn.close();
    }
  });

  it("migration 0010 removes exactly the row 0001 seeded, and keeps a defaults row an operator changed", async () => {
    const conn = await openEmbeddedDatabase(join(dir, "upgraded"));
    try {
      await conn.migrate();
      const seed = sql.raw(statementOf("0001_settings_defaults_and_notify.sql"));
      const removeSeed = sql.raw(statementOf("0010_defaults_from_code.sql"));
      await conn.db.execute(seed);
      expect(await defaultsRow(conn)).toHaveLength(1);
      await conn.db.execute(removeSeed);
      expect(await defaultsRow(conn)).toEqual([]);

      await conn.db.execute(seed);
      await saveSettings(conn.db, DEFAULTS_ROW_ID, { threshold: 0.45 });
      await conn.db.execute(removeSeed);
      expect((await loadSettingsSnapshot(conn.db)).defaults).toEqual({
        ...DEFAULT_SETTINGS,
        threshold: 0.45,
      });
    } finally {
      await conn.close();
    }
  }, 60_000);
});
