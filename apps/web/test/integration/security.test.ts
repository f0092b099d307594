import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signToken, type Claims } from "@emote/api";
import { closeEmoteClient, createEmoteClient, type EmoteClient } from "@emote/api/client";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import { connectDatabase, type DatabaseConnection } from "@emote/db";
import { testInfraConfig } from "@emote/testkit";
import { createObservability, type Observability } from "@emote/observability";
import { SignJWT } from "jose";
import { readWebEnv } from "../../src/server/env.ts";
import { runWebServer, startWebServer, type RunningWebServer } from "../../src/server/web-server.ts";
import { testServerOptions } from "./server-options.ts";

// Attacks on the real server (Kafka, PostgreSQL, HTTP and WebSocket on one port), each
// with the outcome it must get. The limits are lowered so a flood is quick to provoke.
const infra = testInfraConfig();
const runId = randomUUID().slice(0, 8);
const secret = `security-test-${randomUUID()}`;
const MUTATIONS_PER_MINUTE = 20;
const CONNECTIONS_PER_MINUTE = 5;
const env = readWebEnv({
  AUTH_SECRET: secret,
  KAFKA_BROKERS: infra.brokers.join(","),
  DATABASE_URL: infra.databaseUrl,
  KAFKA_TOPIC_PREFIX: `it-sec-${runId}.`,
  KAFKA_PARTITIONS: "1",
  PORT: "0",
  RATE_LIMIT_MUTATIONS_PER_MINUTE: String(MUTATIONS_PER_MINUTE),
  RATE_LIMIT_CONNECTIONS_PER_MINUTE: String(CONNECTIONS_PER_MINUTE),
});

type LogLine = Record<string, unknown>;
function capturing(lines: LogLine[]): Observability {
  return createObservability(
    "emote-web",
    { LOG_LEVEL: "info" },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
}

let server: RunningWebServer;
let port = 0;
const clients: EmoteClient[] = [];
const token = (claims: Claims, expiresIn?: string) => signToken(claims, secret, expiresIn);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with any Host header (fetch does not let a caller forge Host). */
function send(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; toPort?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: opts.toPort ?? port,
        path,
        method: opts.method ?? "GET",
        headers: { ...(opts.body && { "content-type": "application/json" }), ...opts.headers },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

const mutate = (input: unknown, authorization?: string) =>
  send("/trpc/settings.update", {
    method: "POST",
    body: JSON.stringify(input),
    ...(authorization && { headers: { authorization: `Bearer ${authorization}` } }),
  });

/** Opens a WebSocket to /trpc: "open", or the status (and Retry-After) the upgrade got. */
function connect(
  opts: { headers?: Record<string, string>; localAddress?: string } = {},
): Promise<{ outcome: "open" } | { outcome: "refused"; status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/trpc`, {
      ...(opts.headers && { headers: opts.headers }),
      ...(opts.localAddress && { localAddress: opts.localAddress }),
    });
    socket.on("open", () => {
      socket.close();
      resolve({ outcome: "open" });
    });
    socket.on("unexpected-response", (_req, res) => {
      const retryAfter = res.headers["retry-after"];
      resolve({ outcome: "refused", status: res.statusCode ?? 0, ...(retryAfter && { retryAfter }) });
      res.resume();
    });
    socket.on("error", (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

beforeAll(async () => {
  server = await startWebServer(env, createObservability("emote-web", { LOG_LEVEL: "silent" }));
  port = server.port;
});
afterAll(async () => {
  await Promise.all(clients.map(closeEmoteClient));
  await server.close();
});

describe("secrets and tokens", () => {
  it("refuses tokens without exp, without sub, or living longer than the maximum", async () => {
    const key = new TextEncoder().encode(secret);
    const now = Math.floor(Date.now() / 1000);
    const cases: [Record<string, unknown>, string][] = [
      [{ role: "admin", sub: "a", iat: now }, "token has no exp claim"],
      [{ role: "admin", iat: now, exp: now + 600 }, "token has no sub claim"],
      [{ role: "admin", sub: "a", iat: now, exp: now + 30 * 86_400 }, "token lives longer than 86400 s"],
    ];
    for (const [payload, reason] of cases) {
      const forged = await new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).sign(key);
      const res = await mutate({ streamerId: `sec-${runId}`, threshold: 0.5 }, forged);
      expect(res.status).toBe(401);
      expect((JSON.parse(res.body) as { error: { message: string } }).error.message).toBe(reason);
    }
  });

  it("ends a live subscription with UNAUTHORIZED when its token expires, with no call from the client", async () => {
    const client = createEmoteClient({
      url: `http://127.0.0.1:${port}`,
      token: await token({ role: "viewer", sub: "short-lived" }, "2s"),
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    clients.push(client);
    const started = Date.now();
    const ended = await new Promise<{ code: unknown; message: string }>((resolve) => {
      client.moments.live.subscribe(
        { streamerId: `sec-${runId}` },
        {
          onError: (err) => resolve({ code: err.data?.code, message: err.message }),
          onComplete: () => resolve({ code: "COMPLETE", message: "" }),
        },
      );
    });
    expect(ended).toEqual({ code: "UNAUTHORIZED", message: "token expired" });
    expect(Date.now() - started).toBeGreaterThan(500);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("rate limits", () => {
  it("gives a flooding token 429s with Retry-After while another caller is unaffected, and counts them", async () => {
    const streamerId = `sec-${runId}-flood`;
    const flooder = await token({ role: "admin", sub: "flooder" });
    const answers = await Promise.all(
      Array.from({ length: 2 * MUTATIONS_PER_MINUTE }, (_, i) =>
        mutate({ streamerId, threshold: 0.5 + i / 1000 }, flooder),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(MUTATIONS_PER_MINUTE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(MUTATIONS_PER_MINUTE);
    const refused = answers.find((a) => a.status === 429);
    const retryAfter = Number(refused?.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const error = (JSON.parse(refused?.body ?? "{}") as { error: { data: Record<string, unknown> } }).error;
    expect(error.data).toMatchObject({ code: "TOO_MANY_REQUESTS", retryAfterSeconds: retryAfter });

    const other = await mutate(
      { streamerId, threshold: 0.42 },
      await token({ role: "admin", sub: "someone-else" }),
    );
    expect(other.status).toBe(200);
    // Reading is not limited, even for the flooder.
    const input = encodeURIComponent(JSON.stringify({ streamerId }));
    const read = await send(`/trpc/settings.get?input=${input}`, {
      headers: { authorization: `Bearer ${flooder}` },
    });
    expect(read.status).toBe(200);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(`emote_web_rate_limited_total{limit="mutation"} ${MUTATIONS_PER_MINUTE}`);
  });

  it("counts every mutation of a batch", async () => {
    const batcher = await token({ role: "admin", sub: "batcher" });
    const n = MUTATIONS_PER_MINUTE + 5;
    const paths = Array.from({ length: n }, () => "settings.update").join(",");
    const body = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [String(i), { streamerId: `sec-${runId}-b`, threshold: 0.5 }]),
    );
    const res = await send(`/trpc/${paths}?batch=1`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${batcher}` },
    });
    const results = JSON.parse(res.body) as { error?: { data: { code: string } } }[];
    expect(results.filter((r) => r.error?.data.code === "TOO_MANY_REQUESTS")).toHaveLength(5);
    expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
  });

  it("refuses WebSocket connection attempts over the limit per address, other addresses unaffected", async () => {
    const outcomes = [];
    for (let i = 0; i < CONNECTIONS_PER_MINUTE + 2; i++)
      outcomes.push(await connect({ localAddress: "127.0.0.3" }));
    expect(outcomes.slice(0, CONNECTIONS_PER_MINUTE).every((o) => o.outcome === "open")).toBe(true);
    for (const refused of outcomes.slice(CONNECTIONS_PER_MINUTE)) {
      expect(refused).toMatchObject({ outcome: "refused", status: 429 });
      expect(Number((refused as { retryAfter?: string }).retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(await connect({ localAddress: "127.0.0.4" })).toEqual({ outcome: "open" });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('emote_web_rate_limited_total{limit="connection"} 2');
  });
});

describe("headers, hosts and origins", () => {
  it("sets the security headers on every HTTP response", async () => {
    const input = encodeURIComponent(JSON.stringify({ streamerId: "" }));
    for (const path of ["/", "/healthz", "/metrics", `/trpc/settings.get?input=${input}`, "/trpc/nowhere"]) {
      const res = await send(path);
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      const csp = String(res.headers["content-security-policy"]);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port} wss://127.0.0.1:${port}`);
      expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("refuses a forged Host on requests and upgrades (DNS rebinding), even with a matching Origin", async () => {
    const forged = `rebind.example:${port}`;
    const res = await send("/trpc/streamers.list", { headers: { host: forged } });
    expect(res.status).toBe(421);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.body).not.toContain("result");
    expect(await connect({ headers: { host: forged, origin: `http://${forged}` } })).toEqual({
      outcome: "refused",
      status: 421,
    });
    // The same page under the server's own name is fine; a foreign Origin is not.
    expect((await send("/healthz", { headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect(await connect({ headers: { origin: "http://evil.example" }, localAddress: "127.0.0.5" })).toEqual({
      outcome: "refused",
      status: 403,
    });
  });

  it("answers malformed URLs with a 4xx, not a 500 or a crash", async () => {
    expect((await send("/%E0%A4%A")).status).toBe(400);
    expect((await send("/trpc/%E0%A4%A")).status).toBe(400);
    expect((await send("/healthz")).status).toBe(200);
  });

  it("does not serve subscriptions over HTTP (SSE)", async () => {
    const input = encodeURIComponent(JSON.stringify({ streamerId: `sec-${runId}` }));
    const res = await send(`/trpc/moments.live?input=${input}`, { headers: { accept: "text/event-stream" } });
    expect(res.status).toBe(405);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "METHOD_NOT_SUPPORTED" } });
    // In a batch too.
    const batch = await send(`/trpc/streamers.list,stats.live?batch=1&input=${encodeURIComponent("{}")}`);
    expect(batch.status).toBe(405);
  });
});

describe("errors", () => {
  it("answers NUL and year-0000 inputs with 400 sentences naming the field, no SQL", async () => {
    const cases: [string, unknown, string][] = [
      [
        "moments.history",
        { from: "0000-01-01T00:00:00Z" },
        "from: must be a date between the years 1 and 9999",
      ],
      ["moments.history", { emote: "a\u0000b" }, "emote: must not contain NUL characters"],
      ["settings.get", { streamerId: "" }, "streamerId"],
    ];
    for (const [path, input, message] of cases) {
      const res = await send(`/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`);
      expect(res.status).toBe(400);
      const { error } = JSON.parse(res.body) as {
        error: { message: string; data: { zodError: { fieldErrors: Record<string, string[]> } } };
      };
      expect(error.message).toContain(message);
      expect(Object.keys(error.data.zodError.fieldErrors).length).toBe(1);
      expect(res.body).not.toMatch(/select|insert|params|stack/i);
    }
    const bad = await mutate(
      { streamerId: `sec-${runId}`, threshold: 1 },
      await token({ role: "admin", sub: "admin" }),
    );
    expect(bad.status).toBe(400);
    expect((JSON.parse(bad.body) as { error: { message: string } }).error.message).toBe(
      "threshold: Threshold must be a share above 0 and below 1 (0.3 is 30% of the emotes)",
    );
  });

  describe("a server whose database fails under it", () => {
    // A real PostgreSQL error: the tables are not on this connection's search_path, so
    // every query fails with a message holding its SQL and parameters.
    const lines: LogLine[] = [];
    let broken: RunningWebServer;
    let conn: DatabaseConnection;
    beforeAll(async () => {
      const url = new URL(infra.databaseUrl);
      url.searchParams.set("search_path", `nowhere_${runId}`);
      conn = connectDatabase(url.toString(), { max: 2 });
      const bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "sec-it" }), {
        partitions: 1,
        topicPrefix: `it-sec-${runId}-broken.`,
      });
      await bus.ensureTopics();
      broken = await runWebServer(
        { bus, conn },
        testServerOptions({
          authSecret: secret,
          rateLimits: { mutationsPerMinute: 0, connectionsPerMinute: 0 },
        }),
        capturing(lines),
      );
    });
    afterAll(async () => {
      await broken.close();
      await conn.close();
    });

    it("answers 500 with a generic message and a request id, and logs the SQL under that id", async () => {
      const input = encodeURIComponent(JSON.stringify({ streamerId: "secret-streamer" }));
      const res = await send(`/trpc/settings.get?input=${input}`, { toPort: broken.port });
      expect(res.status).toBe(500);
      const { error } = JSON.parse(res.body) as { error: { message: string; data: Record<string, unknown> } };
      const requestId = res.headers["x-request-id"];
      expect(error.message).toBe(`internal server error (request id ${String(requestId)})`);
      expect(error.data).toEqual({
        code: "INTERNAL_SERVER_ERROR",
        httpStatus: 500,
        path: "settings.get",
        requestId,
        zodError: null,
        retryAfterSeconds: null,
      });
      expect(res.body).not.toMatch(/select|settings"|secret-streamer|params|stack|\.ts:/i);

      const logged = lines.find((l) => l.requestId === requestId);
      expect(logged).toMatchObject({ level: 50, path: "settings.get", code: "INTERNAL_SERVER_ERROR" });
      expect(JSON.stringify(logged)).toMatch(/select/i);
    });
  });
});
