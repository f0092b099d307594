import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { loadSettingsSnapshot, openEmbeddedDatabase, saveSettings, sql } from "@emote/db";
import { waitFor } from "@emote/testkit";
import { followSettings, SettingsCache, type ReloadScope } from "@emote/settings";

const dir = mkdtempSync(join(tmpdir(), "emote-worker-pglite-"));
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
});
