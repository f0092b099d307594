import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { createStreamer, loadSettingsSnapshot, openEmbeddedDatabase, saveSettings, sql } from "@emote/db";
import { waitFor } from "@emote/testkit";
import { followSettings, followStreamers, SettingsCache, type ReloadScope } from "../../src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "emote-settings-pglite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("settings follower on the embedded database (PGlite, as in npm start)", () => {
  it("reloads the streamers named by the notifications, and everything only on listen and truncate", async () => {
    const conn = await openEmbeddedDatabase(dir);
    await conn.migrate();
    const cache = new SettingsCache(await loadSettingsSnapshot(conn.db));
    const reloads: ReloadScope[] = [];
    const follower = await followSettings(conn, cache, {
      reloaded: (scope) => reloads.push(scope),
      failed: (err) => {
        throw err;
      },
    });
    await waitFor("the reload on listen", () => reloads.length === 1);
    expect(reloads).toEqual(["full"]);

    for (let i = 1; i <= 20; i++) await saveSettings(conn.db, `s${i % 4}`, { threshold: i / 100 });
    await waitFor("the last change in the cache", () => cache.for("s0").threshold === 0.2, 1_000);
    expect([0, 1, 2, 3].map((i) => cache.for(`s${i}`).threshold)).toEqual([0.2, 0.17, 0.18, 0.19]);
    expect(reloads[0]).toBe("full");
    expect(reloads.slice(1).every((s) => s === "streamers")).toBe(true);

    await conn.db.execute(sql`truncate streamer_settings`);
    await waitFor(
      "the truncate to empty the cache",
      () => cache.for("s0").threshold === DEFAULT_SETTINGS.threshold,
    );
    expect(reloads.at(-1)).toBe("full");
    await follower.stop();
    await conn.close();
  }, 60_000);

  it("knows a streamer created or registered by a settings write, without a query per look-up", async () => {
    const conn = await openEmbeddedDatabase(dir);
    await conn.migrate();
    const failures: Error[] = [];
    const streamers = await followStreamers(conn, { failed: (err) => failures.push(err) });
    expect(streamers.has("default")).toBe(true);
    expect(streamers.has("new-one")).toBe(false);
    await createStreamer(conn.db, "new-one", "admin");
    await waitFor("the created streamer", () => streamers.has("new-one"), 1_000);
    await saveSettings(conn.db, "with-settings", { threshold: 0.4 });
    await waitFor("the streamer registered by its settings", () => streamers.has("with-settings"), 1_000);
    await conn.db.execute(sql`truncate streamers`);
    await waitFor("the truncate to empty the set", () => !streamers.has("new-one"), 1_000);
    expect(failures).toEqual([]);
    await streamers.stop();
    await conn.close();
  }, 60_000);
});
