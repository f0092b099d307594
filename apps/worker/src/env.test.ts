import { describe, expect, it } from "vitest";
import { ConfigError } from "@emote/config";
import { readWorkerEnv } from "./env.ts";

describe("worker failover settings", () => {
  it("defaults to an 8 s session with a 1 s heartbeat, so a dead worker's partitions resume within ~10 s", () => {
    const env = readWorkerEnv({});
    expect(env.WORKER_SESSION_TIMEOUT_MS).toBe(8_000);
    expect(env.WORKER_HEARTBEAT_INTERVAL_MS).toBe(1_000);
  });

  it("refuses a heartbeat above a third of the session timeout", () => {
    expect(() =>
      readWorkerEnv({ WORKER_SESSION_TIMEOUT_MS: "6000", WORKER_HEARTBEAT_INTERVAL_MS: "2500" }),
    ).toThrow(ConfigError);
    expect(() =>
      readWorkerEnv({ WORKER_SESSION_TIMEOUT_MS: "6000", WORKER_HEARTBEAT_INTERVAL_MS: "2500" }),
    ).toThrow(/WORKER_HEARTBEAT_INTERVAL_MS must be at most a third/);
    expect(
      readWorkerEnv({ WORKER_SESSION_TIMEOUT_MS: "6000", WORKER_HEARTBEAT_INTERVAL_MS: "2000" }),
    ).toMatchObject({
      WORKER_HEARTBEAT_INTERVAL_MS: 2_000,
    });
  });
});
