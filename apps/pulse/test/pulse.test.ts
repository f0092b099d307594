import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signToken } from "@emote/api";
import { DEV_AUTH_SECRET } from "@emote/config";
import { closeEmoteClient } from "@emote/api/client";
import { createObservability, traceIdOf } from "@emote/observability";
import { readPulseEnv } from "../src/env.ts";
import { startPulse } from "../src/pulse.ts";
import { client, nextBoard, nextLiveMoment } from "./live-client.ts";

const dataDir = mkdtempSync(join(tmpdir(), "emote-pulse-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// Nothing but Node: no KAFKA_BROKERS, no DATABASE_URL.
const env = readPulseEnv({
  PORT: "0",
  PULSE_DATA_DIR: dataDir,
  PULSE_GENERATOR_RATE: "50",
  LOG_LEVEL: "warn",
});
const quiet = () => createObservability("emote-pulse", { LOG_LEVEL: "silent" });

describe("embedded mode (npm start)", () => {
  it("refuses to start off loopback without a real AUTH_SECRET, before opening anything", async () => {
    const offLoopback = { ...env, HOST: "0.0.0.0" };
    await expect(startPulse(offLoopback, quiet())).rejects.toThrow(
      "AUTH_SECRET is not set: make one with `openssl rand -base64 48`",
    );
    await expect(startPulse({ ...offLoopback, AUTH_SECRET: DEV_AUTH_SECRET }, quiet())).rejects.toThrow(
      "AUTH_SECRET is the development secret, refused on HOST=0.0.0.0",
    );
    expect(existsSync(join(dataDir, "auth-secret"))).toBe(false);
  });

  it("serves live moments with nothing installed, and keeps settings and history across a restart", async () => {
    const first = await startPulse(env, quiet());
    expect(first.bus).toBe("the in-process bus");
    expect(first.database).toContain("embedded PostgreSQL");
    const streamerToken = await signToken(
      { role: "streamer", streamerId: "default", sub: "streamer" },
      first.authSecret,
    );
    const api = client(first.url, streamerToken);
    const moment = await nextLiveMoment(api, "default");
    expect(moment.streamerId).toBe("default");
    expect(moment.ratio).toBeGreaterThan(0.3);
    expect(traceIdOf(moment.traceparent)).toMatch(/^[0-9a-f]{32}$/);
    // One process, one /metrics with all three components' metrics, one /readyz.
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    for (const name of [
      "emote_generator_emotes_produced_total",
      "emote_worker_moments_emitted_total",
      "emote_web_messages_delivered_total",
    ]) {
      expect(Number(new RegExp(`^${name} (\\d+)$`, "m").exec(metrics)?.[1])).toBeGreaterThan(0);
    }
    const ready = await fetch(`${first.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { name: string }[] }).checks.map((c) => c.name).sort()).toEqual(
      // The worker's, the trending stage's (its two groups) and the web server's.
      [
        "in-process-bus",
        "in-process-bus",
        "in-process-bus",
        "in-process-bus",
        "postgresql",
        "postgresql",
        "postgresql",
      ],
    );
    // The platform view: the trending stage's boards reach trending.live.
    const board = await nextBoard(api, (b) => (b.windows[0]?.emotes.length ?? 0) > 0);
    expect(board.windows.map((w) => w.minutes)).toEqual([1, 10]);
    expect(board.windows[0]?.emotes[0]?.count).toBeGreaterThan(0);
    await api.settings.update.mutate({ streamerId: "default", threshold: 0.45 });
    const page = await fetch(first.url);
    expect(page.status).toBe(200);
    await closeEmoteClient(api);
    await first.stop();

    const second = await startPulse({ ...env, PULSE_GENERATOR_RATE: 0 }, quiet());
    // The secret made at the first start is kept: its tokens still work.
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.authSecretFile).toBe(join(dataDir, "auth-secret"));
    expect(statSync(join(dataDir, "auth-secret")).mode & 0o777).toBe(0o600);
    const again = client(second.url, streamerToken);
    expect((await again.settings.get.query({ streamerId: "default" })).threshold).toBe(0.45);
    expect((await again.settings.update.mutate({ streamerId: "default", threshold: 0.5 })).threshold).toBe(
      0.5,
    );
    const history = await again.moments.history.query({ streamerId: "default", limit: 500 });
    expect(history.items.map((m) => m.id)).toContain(moment.id);
    await closeEmoteClient(again);
    await second.stop();
  });
});
