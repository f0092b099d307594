import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "@emote/api";
import type { AddressInfo } from "node:net";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { DEV_AUTH_SECRET } from "@emote/config";
import { connectDatabase, databaseCheck } from "@emote/db";
import { testInfraConfig } from "@emote/testkit";
import { createObservability } from "@emote/observability";
import { createGateway } from "../../src/server/gateway.ts";
import { DEFAULT_CLIENT_LIMITS } from "../../src/server/env.ts";
import { createHttpServer, listenOn } from "../../src/server/http/http-server.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl, { max: 2 });
const probes = createObservability("emote-web", { LOG_LEVEL: "silent" });
const server = createHttpServer({
  db: conn.db,
  authSecret: DEV_AUTH_SECRET,
  live: {
    moments: { subscribe: () => () => undefined, nextPosition: () => 1 },
    stats: { subscribe: () => () => undefined, recent: () => [] },
  },
  staticRoot: mkdtempSync(join(tmpdir(), "web-static-")),
  probes,
  gateway: createGateway(
    {
      allowedHosts: [],
      bindHost: "127.0.0.1",
      rateLimits: { mutationsPerMinute: 0, connectionsPerMinute: 0 },
      maxTokenLifetimeSeconds: 86_400,
    },
    probes.log,
  ),
  limits: DEFAULT_CLIENT_LIMITS,
});
let base = "";

beforeAll(async () => {
  const address: AddressInfo = await listenOn(server, 0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await conn.close();
});

describe("web server", () => {
  it("answers /healthz, /readyz and /metrics on its own port", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
    // No dependency check registered yet: still starting.
    const starting = await fetch(`${base}/readyz`);
    expect(starting.status).toBe(503);
    expect(((await starting.json()) as { failing: string[] }).failing).toEqual([
      "starting: no dependency connected yet",
    ]);
    probes.readiness.add(databaseCheck(conn));
    // The last verdict is reused for 250 ms: poll until the check is in it.
    await expect.poll(async () => (await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("emote_ready 1");
  });

  it("serves tRPC queries over HTTP at /trpc", async () => {
    const input = encodeURIComponent(JSON.stringify({ streamerId: "never-configured-web" }));
    const res = await fetch(`${base}/trpc/settings.get?input=${input}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { data: unknown } }).result.data).toEqual(DEFAULT_SETTINGS);
  });

  it("answers a bad input with 400 BAD_REQUEST, not a 500", async () => {
    const input = encodeURIComponent(JSON.stringify({ streamerId: "" }));
    const res = await fetch(`${base}/trpc/settings.get?input=${input}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { data: { code: string; zodError: { fieldErrors: Record<string, string[]> } } };
    };
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(Object.keys(body.error.data.zodError.fieldErrors)).toEqual(["streamerId"]);
  });

  it("takes a bearer token for mutations: 200 with the right role, 403 without, 401 with a bad token", async () => {
    const streamerId = `web-${randomUUID().slice(0, 8)}`;
    const update = (authorization?: string) =>
      fetch(`${base}/trpc/settings.update`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization && { authorization }) },
        body: JSON.stringify({ streamerId, threshold: 0.7 }),
      });
    const own = await signToken({ role: "streamer", streamerId, sub: streamerId }, DEV_AUTH_SECRET);
    const ok = await update(`Bearer ${own}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: { data: { threshold: number } } }).result.data.threshold).toBe(
      0.7,
    );
    expect((await update()).status).toBe(403);
    const forged = await signToken({ role: "admin", sub: "admin" }, "z".repeat(32));
    expect((await update(`Bearer ${forged}`)).status).toBe(401);
  });

  it("says how to build the dashboard when it is not built", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("npm run build -w @emote/web");
  });
});
