import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { testInfraConfig } from "@emote/testkit";
import {
  SETTINGS_CHANNEL,
  connectDatabase,
  getEffectiveSettings,
  loadSettingsSnapshot,
  loadStreamerSettings,
  saveSettings,
} from "../../src/index.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl);
afterAll(() => conn.close());

describe("settings in the real PostgreSQL", () => {
  it("gives streamers without a row the defaults of the code", async () => {
    expect(await getEffectiveSettings(conn.db, `never-seen-${randomUUID()}`)).toEqual(DEFAULT_SETTINGS);
    const snapshot = await loadSettingsSnapshot(conn.db);
    expect(snapshot.defaults).toEqual(DEFAULT_SETTINGS);
  });

  it("saves a partial update over the effective settings and reads it back", async () => {
    const streamerId = `it-${randomUUID()}`;
    const saved = await saveSettings(conn.db, streamerId, { threshold: 0.55 });
    expect(saved).toEqual({ ...DEFAULT_SETTINGS, threshold: 0.55 });
    await saveSettings(conn.db, streamerId, { interval: 12, allowedEmotes: ["🔥", "😀"] });
    expect(await getEffectiveSettings(conn.db, streamerId)).toEqual({
      ...DEFAULT_SETTINGS,
      interval: 12,
      threshold: 0.55,
      allowedEmotes: ["🔥", "😀"],
    });
  });

  it("changes only the surge knobs a patch names", async () => {
    const streamerId = `it-${randomUUID()}`;
    await saveSettings(conn.db, streamerId, { surge: { minViewers: 7 } });
    const saved = await saveSettings(conn.db, streamerId, { detectors: ["surge"], surge: { cooldownMs: 0 } });
    expect(saved).toEqual({
      ...DEFAULT_SETTINGS,
      detectors: ["surge"],
      surge: { ...DEFAULT_SETTINGS.surge, minViewers: 7, cooldownMs: 0 },
    });
    expect(await getEffectiveSettings(conn.db, streamerId)).toEqual(saved);
  });

  it("loads the rows of the streamers asked for, in one query, leaving out those without a row", async () => {
    const [a, b, none] = [`it-${randomUUID()}`, `it-${randomUUID()}`, `it-${randomUUID()}`];
    await saveSettings(conn.db, a, { threshold: 0.21 });
    await saveSettings(conn.db, b, { interval: 9 });
    const found = await loadStreamerSettings(conn.db, [a, b, none]);
    expect(found).toEqual(
      new Map([
        [a, { ...DEFAULT_SETTINGS, threshold: 0.21 }],
        [b, { ...DEFAULT_SETTINGS, interval: 9 }],
      ]),
    );
    expect(await loadStreamerSettings(conn.db, [])).toEqual(new Map());
  });

  it("announces every change on the settings channel", async () => {
    const streamerId = `it-${randomUUID()}`;
    let heard!: (payload: string) => void;
    const announced = new Promise<string>((resolve) => (heard = resolve));
    const listening = await conn.listen(SETTINGS_CHANNEL, (payload) => {
      if (payload === streamerId) heard(payload);
    });
    await saveSettings(conn.db, streamerId, { interval: 5 });
    expect(await announced).toBe(streamerId);
    await listening.unlisten();
  });
});
