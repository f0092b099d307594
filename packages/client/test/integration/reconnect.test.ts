import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { afterAll, describe, expect, it } from "vitest";
import { signToken } from "@emote/api";
import { refusedPort, waitFor } from "@emote/testkit";
import { closeEmotePulseClient, createEmotePulseClient, type Moment } from "../../src/index.ts";
import { startPulseProcess, type PulseProcess } from "./pulse-process.ts";

const dataDir = mkdtempSync(join(tmpdir(), "emote-sdk-reconnect-"));
let server: PulseProcess | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("createEmotePulseClient when its server restarts", () => {
  it("reconnects by itself and resumes moments.live from its last event id: no moment twice, none out of order", async () => {
    const port = await refusedPort();
    const authSecret = randomBytes(48).toString("base64");
    // Fast simulated reactions: moments keep coming while the client is away.
    const opts = { dataDir, port, authSecret, generatorRate: 200 };
    server = await startPulseProcess(opts);
    const token = await signToken({ role: "viewer", sub: "reconnect-test" }, authSecret);
    const client = createEmotePulseClient({ url: server.url, token, WebSocket });
    const received: Moment[] = [];
    const errors: unknown[] = [];
    const subscription = client.moments.live.subscribe(
      { streamerId: "default" },
      { onData: ({ data }) => received.push(data), onError: (err) => errors.push(err) },
    );
    try {
      await waitFor("moments before the restart", () => received.length >= 3, 120_000);
      await server.stop();
      const before = received.length;
      server = await startPulseProcess(opts);
      await waitFor("moments after the restart", () => received.length >= before + 5, 120_000);

      expect(errors).toEqual([]);
      // One streamer, the rule's moments (the default kinds): the log also holds this streamer's
      // surge moments between them, so positions have gaps; a moment delivered twice or out of
      // order across the reconnection shows as a position not above the one before.
      const positions = received.map((m) => m.position ?? 0);
      expect(positions.every((p, i) => i === 0 || p > (positions[i - 1] ?? 0))).toBe(true);
      expect(new Set(received.map((m) => m.id)).size).toBe(received.length);
    } finally {
      subscription.unsubscribe();
      await closeEmotePulseClient(client);
    }
  });
});
