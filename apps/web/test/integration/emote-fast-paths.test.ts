import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "@emote/api";
import { memoryBus } from "@emote/bus/memory";
import { DEV_AUTH_SECRET } from "@emote/config";
import { connectDatabase, saveSettings } from "@emote/db";
import { testInfraConfig } from "@emote/testkit";
import { createObservability } from "@emote/observability";
import { DEFAULT_EMOTE_OPTIONS } from "../../src/server/emotes/emote-env.ts";
import { runWebServer, type RunningWebServer } from "../../src/server/web-server.ts";
import { testServerOptions } from "./server-options.ts";

// emotes.send's fast paths (ws-emotes.ts, http-emotes.ts) against tRPC's own adapters: the
// same calls, over the WebSocket and over HTTP, to a server with the fast paths and to one
// without ("stock"), on the same bus and database, must get the same answers (status,
// headers, bodies), only the emote's id, its timestamp and the request id differing.
const infra = testInfraConfig();
const runId = randomUUID().slice(0, 8);
const streamerId = `it-fast-${runId}`;
const conn = connectDatabase(infra.databaseUrl, { max: 4 });
const bus = memoryBus({ partitions: 1, topicPrefix: `it-fast-${runId}.` });
const servers: Record<"direct" | "stock", RunningWebServer> = {} as never;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  await bus.ensureTopics();
  await conn.migrate();
  await saveSettings(conn.db, streamerId, { interval: 10, threshold: 0.5, allowedEmotes: ["🔥", "😀"] });
  for (const path of ["direct", "stock"] as const) {
    servers[path] = await runWebServer(
      { bus, conn },
      testServerOptions({
        // Two emotes at once, then one a second: a viewer's third call in a row is refused.
        emotes: { ...DEFAULT_EMOTE_OPTIONS, perViewerPerSecond: 1, perViewerBurst: 2 },
        emotesPath: path,
      }),
      createObservability("emote-web", { LOG_LEVEL: "silent" }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await conn.close();
});

/** What may differ between two answers to the same call: the emote's id and time, the request id. */
function normalised(text: string): unknown {
  return JSON.parse(
    text
      .replace(/"id":"g-[\w-]+"/g, '"id":"<emote id>"')
      .replace(/"timestamp":"[^"]+"/g, '"timestamp":"<time>"')
      .replace(/"requestId":"[^"]+"/g, '"requestId":"<request id>"')
      .replace(/request id [0-9a-f-]+/g, "request id <request id>"),
  );
}

/** A WebSocket with `token`, sending each message and collecting the answer to each by its id. */
async function overWebSocket(url: string, token: string | undefined, messages: string[]): Promise<unknown[]> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/trpc?connectionParams=1`);
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => ws.once("open", () => resolve()).once("error", reject));
  ws.send(JSON.stringify({ method: "connectionParams", data: token ? { token } : {} }));
  const answers: string[] = [];
  let answered: (() => void) | undefined;
  ws.on("message", (data: Buffer) => {
    answers.push(data.toString());
    answered?.();
  });
  // One at a time, so the per-viewer limit refuses the same call on both servers.
  for (const m of messages) {
    const next = new Promise<void>((resolve) => (answered = resolve));
    ws.send(m);
    await next;
  }
  ws.close();
  return answers.map(normalised);
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | null>;
  body: unknown;
}

async function overHttp(url: string, path: string, body: string, token?: string): Promise<HttpAnswer> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body,
  });
  const headers: Record<string, string | null> = {};
  for (const h of ["content-type", "retry-after", "vary"]) headers[h] = res.headers.get(h);
  return { status: res.status, headers, body: normalised(await res.text()) };
}

const call = (id: number | string, input: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, ...extra, method: "mutation", params: { path: "emotes.send", input } });

const CALLS = [
  { streamerId, emote: "🔥" },
  { streamerId, emote: "🎉" }, // not allowed: BAD_REQUEST naming `emote`
  { streamerId, emote: "🔥", timestamp: "2020-01-01T00:00:00Z" }, // no client clock: BAD_REQUEST
  { streamerId: "", emote: "🔥" }, // bad streamer id
  // The viewer's third past the schema (🎉 counted too): TOO_MANY_REQUESTS, twice.
  { streamerId, emote: "😀" },
  { streamerId, emote: "🔥" },
];

describe("emotes.send's fast paths answer as tRPC's adapters do", () => {
  it("over the WebSocket: sent, refused by schema, by the allowed set and by the limit; a batch and jsonrpc too", async () => {
    const answers: Record<string, unknown[]> = {};
    for (const path of ["direct", "stock"] as const) {
      const token = await signToken({ role: "viewer", sub: `ws-${path}-${runId}` }, DEV_AUTH_SECRET);
      answers[path] = await overWebSocket(servers[path].url, token, [
        ...CALLS.map((input, i) => call(i + 1, input)),
        call("named", { streamerId, emote: "🔥" }, { jsonrpc: "2.0" }),
        `[${call(50, { streamerId, emote: "😀" })}]`,
      ]);
    }
    expect(answers.direct).toEqual(answers.stock);
    const [sent, unknown, clientClock, badStreamer, , limited] = answers.direct as Array<{
      result?: { data: { id: string } };
      error?: { data: { code: string; retryAfterSeconds: number | null } };
    }>;
    expect(sent?.result?.data.id).toBe("<emote id>");
    expect(unknown?.error?.data.code).toBe("BAD_REQUEST");
    expect(clientClock?.error?.data.code).toBe("BAD_REQUEST");
    expect(badStreamer?.error?.data.code).toBe("BAD_REQUEST");
    expect(limited?.error?.data).toMatchObject({ code: "TOO_MANY_REQUESTS", retryAfterSeconds: 1 });
  });

  it("over the WebSocket: a token that does not verify is UNAUTHORIZED on both", async () => {
    const answers = await Promise.all(
      (["direct", "stock"] as const).map((path) =>
        overWebSocket(servers[path].url, "not-a-token", [call(1, { streamerId, emote: "🔥" })]),
      ),
    );
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.[0]).toMatchObject({ id: 1, error: { data: { code: "UNAUTHORIZED" } } });
  });

  it("over HTTP: the same statuses, headers and bodies, retry-after on the refusal; batches go to tRPC", async () => {
    const answers: Record<string, HttpAnswer[]> = {};
    for (const path of ["direct", "stock"] as const) {
      const token = await signToken({ role: "viewer", sub: `http-${path}-${runId}` }, DEV_AUTH_SECRET);
      const url = servers[path].url;
      answers[path] = [];
      for (const input of CALLS)
        answers[path].push(await overHttp(url, "/trpc/emotes.send", JSON.stringify(input), token));
      answers[path].push(await overHttp(url, "/trpc/emotes.send", "{not json", token));
      answers[path].push(await overHttp(url, "/trpc/emotes.send", JSON.stringify(CALLS[0]), "not-a-token"));
      // Another viewer, whose limit has room.
      const other = await signToken({ role: "viewer", sub: `http-batch-${path}-${runId}` }, DEV_AUTH_SECRET);
      answers[path].push(
        await overHttp(url, "/trpc/emotes.send?batch=1", JSON.stringify({ 0: CALLS[0] }), other),
      );
    }
    expect(answers.direct).toEqual(answers.stock);
    expect(answers.direct?.map((a) => a.status)).toEqual([200, 400, 400, 400, 429, 429, 400, 401, 200]);
    expect(answers.direct?.[5]?.headers["retry-after"]).toBe("1");
    expect(answers.direct?.[0]?.headers["content-type"]).toBe("application/json");
  }, 30_000);

  it("a streamer that does not exist: NOT_FOUND naming streamerId, over the WebSocket and over HTTP, on both", async () => {
    const nobody = { streamerId: `nobody-${runId}`, emote: "🔥" };
    const answers: Record<string, unknown[]> = {};
    for (const path of ["direct", "stock"] as const) {
      const token = await signToken({ role: "viewer", sub: `nobody-${path}-${runId}` }, DEV_AUTH_SECRET);
      const url = servers[path].url;
      answers[path] = [
        ...(await overWebSocket(url, token, [call(1, nobody)])),
        await overHttp(url, "/trpc/emotes.send", JSON.stringify(nobody), token),
      ];
    }
    expect(answers.direct).toEqual(answers.stock);
    const [ws, http] = answers.direct as [
      { error: { message: string; data: { code: string } } },
      HttpAnswer & { body: { error: { message: string } } },
    ];
    expect(ws.error.data.code).toBe("NOT_FOUND");
    expect(ws.error.message).toMatch(/^streamerId: there is no streamer "nobody-/);
    expect(http.status).toBe(404);
    expect(http.body.error.message).toBe(ws.error.message);
  }, 30_000);
});
