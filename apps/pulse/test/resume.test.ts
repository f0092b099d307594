import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeEmoteClient, isResumePositionLost, type EmoteClient } from "@emote/api/client";
import type { Moment } from "@emote/contracts";
import { waitFor } from "@emote/testkit";
import { createObservability } from "@emote/observability";
import { readPulseEnv } from "../src/env.ts";
import { startPulse } from "../src/pulse.ts";
import { client } from "./live-client.ts";

const dataDir = mkdtempSync(join(tmpdir(), "emote-pulse-resume-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function follow(api: EmoteClient, input: { streamerId?: string; lastEventId?: string }) {
  const f: { received: Moment[]; error: unknown } = { received: [], error: undefined };
  api.moments.live.subscribe(input, {
    onData: ({ data }) => f.received.push(data),
    onError: (err) => (f.error = err),
  });
  return f;
}

const positions = (ms: Moment[]) => ms.map((m) => m.position ?? -1);
const run = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("resume in the embedded mode (in-process bus, PGlite)", () => {
  it("resumes from a last event id with every moment after it once, in log order, and signals an unknown one", async () => {
    const pulse = await startPulse(
      readPulseEnv({ PORT: "0", PULSE_DATA_DIR: dataDir, PULSE_GENERATOR_RATE: "200", LOG_LEVEL: "warn" }),
      createObservability("emote-pulse", { LOG_LEVEL: "silent" }),
    );
    try {
      const first = client(pulse.url);
      const all = follow(first, {});
      await waitFor("moments", () => all.received.length >= 5, 60_000);
      await closeEmoteClient(first);
      const last = all.received.at(-1) as Moment;

      // One streamer (the generator's `default`): the log is every position in turn.
      const start = all.received[0]?.position ?? 0;
      expect(positions(all.received)).toEqual(run(start, all.received.length));
      const again = client(pulse.url);
      const resumed = follow(again, { lastEventId: last.id });
      const one = follow(again, { streamerId: "default", lastEventId: last.id });
      await waitFor(
        "moments after the resume",
        () => resumed.received.length >= 5 && one.received.length >= 5,
        60_000,
      );
      const from = (last.position ?? 0) + 1;
      expect(positions(resumed.received.slice(0, 5))).toEqual(run(from, 5));
      expect(positions(one.received.slice(0, 5))).toEqual(run(from, 5));

      const lost = follow(again, { lastEventId: "no-such-moment" });
      await waitFor("the signal", () => lost.error !== undefined, 30_000);
      expect(isResumePositionLost(lost.error)).toBe(true);
      await closeEmoteClient(again);
    } finally {
      await pulse.stop();
    }
  }, 120_000);
});
