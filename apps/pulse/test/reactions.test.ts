import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signToken } from "@emote/api";
import { closeEmoteClient } from "@emote/api/client";
import { createObservability } from "@emote/observability";
import { readPulseEnv } from "../src/env.ts";
import { startPulse } from "../src/pulse.ts";
import { client, nextLiveMoment } from "./live-client.ts";

const dataDir = mkdtempSync(join(tmpdir(), "emote-pulse-reactions-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("embedded mode with real reactions only (PULSE_GENERATOR_RATE=0)", () => {
  it("viewers' emotes.send over the in-process bus make a moment, and nothing else is produced", async () => {
    const pulse = await startPulse(
      readPulseEnv({ PORT: "0", PULSE_DATA_DIR: dataDir, PULSE_GENERATOR_RATE: "0", LOG_LEVEL: "warn" }),
      createObservability("emote-pulse", { LOG_LEVEL: "silent" }),
    );
    const clients = [];
    try {
      const admin = client(pulse.url, await signToken({ role: "admin", sub: "admin" }, pulse.authSecret));
      clients.push(admin);
      await admin.settings.update.mutate({ streamerId: "live-show", interval: 6, threshold: 0.5 });
      const moment = nextLiveMoment(admin, "live-show");
      const viewers = await Promise.all(
        ["v1", "v2", "v3"].map(async (sub) =>
          client(pulse.url, await signToken({ role: "viewer", sub }, pulse.authSecret)),
        ),
      );
      clients.push(...viewers);
      const plan = ["❤️", "❤️", "😮", "❤️", "❤️", "😮"];
      const sent = await Promise.all(
        plan.map((emote, i) =>
          viewers[i % viewers.length]!.emotes.send.mutate({ streamerId: "live-show", emote }),
        ),
      );
      expect(new Set(sent.map((s) => s.id)).size).toBe(6);
      const m = await moment;
      expect(m.emote).toBe("❤️");
      expect(m.streamerId).toBe("live-show");
      const metrics = await (await fetch(`${pulse.url}/metrics`)).text();
      expect(/^emote_web_emotes_accepted_total (\d+)$/m.exec(metrics)?.[1]).toBe("6");
      // No simulator: the only emotes were the viewers'.
      expect(/^emote_generator_emotes_produced_total (\d+)$/m.exec(metrics)?.[1] ?? "0").toBe("0");
    } finally {
      await Promise.all(clients.map(closeEmoteClient));
      await pulse.stop();
    }
  }, 120_000);
});
